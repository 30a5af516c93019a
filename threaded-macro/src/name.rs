//! `name = "worker-{id}"`: a thread name that may hold `{arg}` placeholders,
//! formatted at each call from the function's arguments (Python's
//! `Thread(name=f"worker-{id}")`).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Error, Ident, LitStr};

/// The literal of a `name = "..."` option, with the arguments it names.
pub(crate) struct Template {
    lit: LitStr,
    /// Each argument the literal names, once, in order of first use.
    uses: Vec<String>,
}

impl Template {
    /// Reads the placeholders of the literal, refusing what the thread name
    /// cannot use: positional `{}` / `{0}`, `.*`, and unmatched braces.
    pub(crate) fn parse(lit: LitStr) -> syn::Result<Template> {
        let text = lit.value();
        let mut uses = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.next_if(|&(_, c)| c == '{').is_some() => {}
                '}' if chars.next_if(|&(_, c)| c == '}').is_some() => {}
                '}' => return Err(error(&lit, UNMATCHED_CLOSE)),
                '{' => {
                    let Some(end) = text[at..].find('}').map(|end| at + end) else {
                        return Err(error(&lit, UNMATCHED_OPEN));
                    };
                    let inner = &text[at + 1..end];
                    while chars.next_if(|&(index, _)| index <= end).is_some() {}
                    let (arg, spec) = inner.split_once(':').unwrap_or((inner, ""));
                    if arg.is_empty() || arg.starts_with(|c: char| c.is_ascii_digit()) {
                        return Err(error(&lit, &positional(inner)));
                    }
                    if !is_identifier(arg) {
                        return Err(error(
                            &lit,
                            &format!(
                                "#[threaded] thread name placeholder `{{{inner}}}` must name an argument, as in `{{id}}`; write `{{{{` and `}}}}` for literal braces"
                            ),
                        ));
                    }
                    for name in std::iter::once(arg).chain(spec_arguments(spec, inner, &lit)?) {
                        if !uses.iter().any(|used| used == name) {
                            uses.push(name.to_owned());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(Template { lit, uses })
    }

    /// Whether the name formats this argument.
    pub(crate) fn uses(&self, arg: &Ident) -> bool {
        self.uses.iter().any(|name| arg == name)
    }

    /// The text as `std::thread::Builder::name` will see it when the literal
    /// has no placeholder (`{{` and `}}` already unescaped), else `None`.
    pub(crate) fn fixed(&self) -> Option<String> {
        self.uses
            .is_empty()
            .then(|| self.lit.value().replace("{{", "{").replace("}}", "}"))
    }

    /// One error on the literal if it names an argument not in `usable`,
    /// listing those it can use.
    pub(crate) fn check(&self, usable: &[&Ident]) -> syn::Result<()> {
        let unknown: Vec<&str> = self
            .uses
            .iter()
            .map(String::as_str)
            .filter(|name| !usable.iter().any(|arg| arg == name))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let what = if unknown.len() == 1 {
            "which is not an argument"
        } else {
            "which are not arguments"
        };
        let unknown = list(unknown.iter().map(|name| format!("`{{{name}}}`")));
        let can_use = if usable.is_empty() {
            "this function has no argument a name can use (`self`, the `StopEvent` of `stoppable` and patterns cannot be)".to_owned()
        } else {
            format!(
                "it can use {}",
                list(usable.iter().map(|arg| format!("`{{{arg}}}`")))
            )
        };
        Err(error(
            &self.lit,
            &format!("#[threaded] thread name uses {unknown}, {what} of the function; {can_use}"),
        ))
    }

    /// The `String` expression naming the thread, evaluated before the
    /// arguments move into it.
    pub(crate) fn expand(&self, span: Span) -> TokenStream {
        let lit = &self.lit;
        if let Some(fixed) = self.fixed() {
            return quote_spanned! {span=>
                <::std::string::String as ::core::convert::From<&::core::primitive::str>>::from(#fixed)
            };
        }
        // Named arguments given explicitly, spanned on the literal: they
        // resolve to the parameters, and a type without `Display` is
        // reported at the name the user wrote.
        let args = self.uses.iter().map(|name| {
            let ident = Ident::new(name, lit.span());
            quote!(#ident = #ident)
        });
        quote_spanned! {lit.span()=> ::std::format!(#lit, #(#args),*) }
    }
}

const UNMATCHED_OPEN: &str =
    "#[threaded] thread name has an unmatched `{`; write `{{` for a literal brace";
const UNMATCHED_CLOSE: &str =
    "#[threaded] thread name has an unmatched `}`; write `}}` for a literal brace";

fn positional(inner: &str) -> String {
    format!(
        "#[threaded] thread name placeholders name an argument, as in `{{id}}`; positional `{{{inner}}}` has nothing to refer to"
    )
}

fn error(lit: &LitStr, message: &str) -> Error {
    Error::new_spanned(lit, message)
}

/// The arguments a format spec names for its width or precision (`w` in
/// `{id:>w$}`); positional ones (`1$`, `.*`) are refused.
fn spec_arguments<'a>(spec: &'a str, inner: &str, lit: &LitStr) -> syn::Result<Vec<&'a str>> {
    // A fill character may itself be `$` or `*`: skip it.
    let mut rest = spec;
    let mut fill = rest.chars();
    if let (Some(first), Some('<' | '^' | '>')) = (fill.next(), fill.next()) {
        rest = &rest[first.len_utf8()..];
    }
    if rest.contains(".*") {
        return Err(error(lit, &positional(inner)));
    }
    let mut names = Vec::new();
    let mut from = 0;
    while let Some(dollar) = rest[from..].find('$').map(|at| from + at) {
        let start = rest[..dollar]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |at| at + 1);
        let name = &rest[start..dollar];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(error(lit, &positional(inner)));
        }
        names.push(name);
        from = dollar + 1;
    }
    Ok(names)
}

fn is_identifier(text: &str) -> bool {
    text.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> syn::Result<Template> {
        Template::parse(LitStr::new(text, Span::call_site()))
    }

    fn uses(text: &str) -> Vec<String> {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}")).uses
    }

    #[test]
    fn placeholders_name_arguments_once_in_order_with_width_arguments() {
        assert_eq!(uses("worker-{id}"), ["id"]);
        assert_eq!(uses("{b}-{a}-{b:?}"), ["b", "a"]);
        assert_eq!(uses("{label:>w$.p$}"), ["label", "w", "p"]);
        // A `$` fill character is not a width argument.
        assert_eq!(uses("{id:$>5}"), ["id"]);
        assert!(uses("{{literal}} and }}").is_empty());
    }

    #[test]
    fn a_name_without_placeholders_is_fixed_and_unescaped() {
        assert_eq!(parse("{{a}}-b").unwrap().fixed().as_deref(), Some("{a}-b"));
        assert_eq!(parse("x-{id}").unwrap().fixed(), None);
    }

    #[test]
    fn positional_and_malformed_placeholders_are_refused() {
        for bad in [
            "{}", "{0}", "{:>5}", "{id:>1$}", "{id:.*}", "{id", "id}", "{a b}", "{r#type}",
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn an_unknown_placeholder_lists_the_usable_arguments() {
        let id = Ident::new("id", Span::call_site());
        let label = Ident::new("label", Span::call_site());
        let template = parse("{idx}-{label}").unwrap();
        let message = template.check(&[&id, &label]).unwrap_err().to_string();
        assert!(
            message.contains("`{idx}`, which is not an argument"),
            "{message}"
        );
        assert!(
            message.contains("it can use `{id}` and `{label}`"),
            "{message}"
        );
        assert!(template.uses(&label));
        assert!(parse("{id}").unwrap().check(&[&id]).is_ok());
    }
}
