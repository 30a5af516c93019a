//! The options inside `#[threaded(...)]`.

use crate::name::Template;
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitStr, Path, Token};

const VALID: &str = "`name`, `stack_size`, `stoppable`, `crate`, `pool`";

/// What the attribute asked for. Each option keeps the span of its key so
/// later errors can point at it.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<(Template, Span)>,
    pub(crate) stack_size: Option<(Expr, Span)>,
    pub(crate) stoppable: Option<Span>,
    pub(crate) krate: Option<(Path, Span)>,
    /// `pool` (the global pool) or `pool = EXPR` (a `&ThreadPool`).
    pub(crate) pool: Option<(Option<Expr>, Span)>,
}

impl Options {
    /// The path of the facade crate, `::threaded` unless `crate = ...` says otherwise.
    pub(crate) fn crate_path(&self) -> Path {
        match &self.krate {
            Some((path, _)) => path.clone(),
            None => syn::parse_quote!(::threaded),
        }
    }
}

/// Parses the options. Every valid option is kept even when others are wrong,
/// so the expansion can go on with them and report the errors beside it.
pub(crate) fn parse(args: TokenStream) -> (Options, Option<syn::Error>) {
    let mut options = Options::default();
    let mut errors: Option<syn::Error> = None;
    let parser = |input: ParseStream| {
        while !input.is_empty() {
            if let Err(err) = parse_one(input, &mut options) {
                push(&mut errors, err);
                // Skip to the next comma so one bad option hides no other.
                while !input.is_empty() && !input.peek(Token![,]) {
                    input.parse::<proc_macro2::TokenTree>()?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(err) = parser.parse2(args) {
        push(&mut errors, err);
    }
    (options, errors)
}

fn push(errors: &mut Option<syn::Error>, err: syn::Error) {
    match errors {
        Some(errors) => errors.combine(err),
        None => *errors = Some(err),
    }
}

fn parse_one(input: ParseStream, options: &mut Options) -> syn::Result<()> {
    if !input.peek(Ident::peek_any) {
        return Err(input.error(format!("expected a #[threaded] option, one of {VALID}")));
    }
    let key = input.call(Ident::parse_any)?;
    let span = key.span();
    let repeated = |given: bool| {
        if given {
            Err(syn::Error::new(
                span,
                format!("#[threaded] option `{key}` is given twice; keep one"),
            ))
        } else {
            Ok(())
        }
    };
    match key.to_string().as_str() {
        "name" => {
            repeated(options.name.is_some())?;
            let value = value_of(
                input,
                &key,
                "a string literal: `name = \"reader\"`, or `name = \"worker-{id}\"` to use the argument `id`",
            )?;
            options.name = Some((thread_name(value)?, span));
        }
        "stack_size" => {
            repeated(options.stack_size.is_some())?;
            input.parse::<Token![=]>().map_err(|_| {
                syn::Error::new(
                    span,
                    "#[threaded] option `stack_size` needs a value: `stack_size = 4 * 1024 * 1024`",
                )
            })?;
            if input.is_empty() || input.peek(Token![,]) {
                return Err(syn::Error::new(
                    span,
                    "#[threaded] option `stack_size` needs a value: `stack_size = 4 * 1024 * 1024`",
                ));
            }
            options.stack_size = Some((input.parse()?, span));
        }
        "stoppable" => {
            repeated(options.stoppable.is_some())?;
            // Expand as stoppable all the same, so callers see no second error.
            options.stoppable = Some(span);
            if input.peek(Token![=]) {
                return Err(syn::Error::new(
                    span,
                    "#[threaded] option `stoppable` takes no value; write `#[threaded(stoppable)]`",
                ));
            }
        }
        "crate" => {
            repeated(options.krate.is_some())?;
            input.parse::<Token![=]>().map_err(|_| {
                syn::Error::new(
                    span,
                    "#[threaded] option `crate` needs a path: `crate = \"my_threaded\"`",
                )
            })?;
            const NOT_A_PATH: &str = "#[threaded] option `crate` must be a path: `crate = \"my_threaded\"` or `crate = ::my_threaded`";
            let path = if input.peek(LitStr) {
                let lit = input.parse::<LitStr>()?;
                lit.parse_with(Path::parse_mod_style)
                    .map_err(|_| syn::Error::new_spanned(&lit, NOT_A_PATH))?
            } else {
                input
                    .call(Path::parse_mod_style)
                    .map_err(|err| syn::Error::new(err.span(), NOT_A_PATH))?
            };
            options.krate = Some((path, span));
        }
        "pool" => {
            repeated(options.pool.is_some())?;
            // Submit to the global pool if the value is malformed, so callers
            // still see a `Job` and no second error.
            options.pool = Some((None, span));
            if input.parse::<Option<Token![=]>>()?.is_some() {
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(syn::Error::new(
                        span,
                        "#[threaded] option `pool` needs a value after `=`: `pool = &POOL`, or plain `pool` for the global pool",
                    ));
                }
                options.pool = Some((Some(input.parse()?), span));
            }
        }
        _ => {
            return Err(syn::Error::new(
                span,
                format!("unknown #[threaded] option `{key}`; expected one of {VALID}"),
            ));
        }
    }
    Ok(())
}

/// Parses `= "literal"` after `key`, saying what to write when it is missing.
fn value_of(input: ParseStream, key: &Ident, what: &str) -> syn::Result<LitStr> {
    if input.parse::<Token![=]>().is_err() {
        return Err(syn::Error::new(
            key.span(),
            format!("#[threaded] option `{key}` needs {what}"),
        ));
    }
    if input.peek(LitStr) {
        return input.parse();
    }
    let value: Expr = input.parse()?;
    Err(syn::Error::new_spanned(
        value,
        format!("#[threaded] option `{key}` must be {what}"),
    ))
}

/// A thread name `std::thread::Builder::name` accepts: not empty, no NUL
/// byte, and placeholders that name arguments.
fn thread_name(lit: LitStr) -> syn::Result<Template> {
    let name = lit.value();
    if name.trim().is_empty() {
        return Err(syn::Error::new_spanned(
            &lit,
            "#[threaded] thread name is blank; write a name such as `name = \"reader\"`, or leave `name` out to use the function's",
        ));
    }
    if name.contains('\0') {
        return Err(syn::Error::new_spanned(
            &lit,
            "#[threaded] thread name cannot contain a NUL byte (`\\0`); remove it",
        ));
    }
    Template::parse(lit)
}
