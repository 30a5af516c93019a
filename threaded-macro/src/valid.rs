//! What `#[threaded]` refuses, each refusal spanned on the user's token and
//! saying what to write instead. All problems are gathered, so the user sees
//! them at once.

use crate::ast::{self, Function};
use crate::attr::Options;
use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::{self, Visit};
use syn::{
    BoundLifetimes, Error, GenericParam, Ident, Lifetime, ReceiverKind, TraitBound, Type,
    TypeReference,
};

const BORROWED_SELF: &str =
    "#[threaded] cannot borrow `self` across threads; take `self` or `self: Arc<Self>`";

pub(crate) fn check(function: &Function, options: &Options) -> syn::Result<()> {
    let mut errors = Errors::default();
    let sig = &function.sig;

    if let Some(token) = &sig.asyncness {
        errors.push(Error::new_spanned(
            token,
            "#[threaded] cannot run an `async fn` on a thread; remove `async`, or hand the future to an async runtime's `spawn`",
        ));
    }
    if let Some(token) = &sig.constness {
        errors.push(Error::new_spanned(
            token,
            "#[threaded] spawns a thread, which a `const fn` cannot do; remove `const`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(Error::new_spanned(
            abi,
            "#[threaded] cannot spawn a thread from an `extern` function; remove the ABI, or call a `#[threaded]` function from the `extern` one",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(Error::new_spanned(
            variadic,
            "#[threaded] cannot move variadic arguments to a thread; take a `Vec` instead",
        ));
    }

    if let Some(receiver) = sig.receiver() {
        match &receiver.kind {
            ReceiverKind::Reference(and, lifetime, mutability)
                if !lifetime.as_ref().is_some_and(is_static) =>
            {
                let self_token = &receiver.self_token;
                errors.push(Error::new_spanned(
                    quote!(#and #lifetime #mutability #self_token),
                    BORROWED_SELF,
                ));
            }
            ReceiverKind::Typed(_, ty) => {
                if let Some(borrow) = borrows(ty).into_iter().next() {
                    errors.push(Error::new_spanned(borrow, BORROWED_SELF));
                }
            }
            _ => {}
        }
    }

    if let Some(error) = pool_conflict(options) {
        errors.push(error);
    }

    let mut inputs = function.typed_inputs();
    // With `pool`, `stoppable` is already refused above: one error, not two.
    if options.stoppable.is_some() && options.pool.is_none() {
        const NEEDS_STOP: &str = "#[threaded(stoppable)] needs a `StopEvent` as the first parameter, which callers do not pass: `fn worker(stop: StopEvent, ...)`";
        match inputs.next() {
            Some(first) if ast::is_stop_event(&first.ty) => {}
            Some(first) => errors.push(Error::new_spanned(&first.ty, NEEDS_STOP)),
            None => errors.push(Error::new(sig.paren_token.span.join(), NEEDS_STOP)),
        }
    }
    for input in inputs {
        for borrow in borrows(&input.ty) {
            errors.push(Error::new_spanned(borrow.tokens, borrow.message));
        }
    }
    if let Some((template, _)) = &options.name {
        let usable = function.name_arguments(options.stoppable.is_some());
        if let Err(error) = template.check(&usable) {
            errors.push(error);
        }
    }

    errors.finish()
}

/// `pool` with an option that configures the thread: one error, on the
/// first such option, naming them all and saying why.
fn pool_conflict(options: &Options) -> Option<Error> {
    options.pool.as_ref()?;
    let given = |span: Option<proc_macro2::Span>, key| span.map(|span| (key, span));
    let conflicts: Vec<(&str, proc_macro2::Span)> = [
        given(options.name.as_ref().map(|(_, span)| *span), "name"),
        given(
            options.stack_size.as_ref().map(|(_, span)| *span),
            "stack_size",
        ),
        given(options.stoppable, "stoppable"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (_, span) = conflicts.first()?;
    let keys = conflicts
        .iter()
        .map(|(key, _)| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let mut why = Vec::new();
    if options.name.is_some() || options.stack_size.is_some() {
        why.push("the pool names and sizes its own threads (set that with `ThreadPool::builder().name(..).stack_size(..)`)");
    }
    if options.stoppable.is_some() {
        why.push("a pooled call returns a `Job`, not a `StoppableThread` (to stop it, pass a `StopEvent` argument and keep a clone)");
    }
    Some(Error::new(
        *span,
        format!(
            "#[threaded(pool)] cannot take {keys}: {}; remove {}",
            why.join(", and "),
            if conflicts.len() == 1 { "it" } else { "them" }
        ),
    ))
}

#[derive(Default)]
struct Errors(Option<Error>);

impl Errors {
    fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// A non-`'static` borrow inside a type: the tokens to point at and what to say.
struct Borrow {
    tokens: TokenStream,
    message: String,
}

impl quote::ToTokens for Borrow {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.tokens.to_tokens(tokens);
    }
}

/// The non-`'static` references and lifetimes a value of this type may hold.
/// Function signatures inside it (`fn(&str)`, `impl Fn(&str)`) and lifetimes
/// bound by `for<'a>` borrow nothing themselves, so they are not counted.
fn borrows(ty: &Type) -> Vec<Borrow> {
    #[derive(Default)]
    struct Finder {
        found: Vec<Borrow>,
        /// Lifetimes introduced by the `for<...>` binders being walked.
        bound: Vec<Ident>,
    }

    impl Finder {
        fn borrows(&self, lifetime: Option<&Lifetime>) -> bool {
            !lifetime
                .is_some_and(|lifetime| is_static(lifetime) || self.bound.contains(&lifetime.ident))
        }

        fn with_binder(&mut self, binder: Option<&BoundLifetimes>, walk: impl FnOnce(&mut Self)) {
            let depth = self.bound.len();
            if let Some(binder) = binder {
                self.bound
                    .extend(binder.lifetimes.iter().filter_map(|param| match param {
                        GenericParam::Lifetime(param) => Some(param.lifetime.ident.clone()),
                        _ => None,
                    }));
            }
            walk(self);
            self.bound.truncate(depth);
        }
    }

    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_reference(&mut self, reference: &'ast TypeReference) {
            if self.borrows(reference.lifetime.as_ref()) {
                let (and, lifetime, mutability) = (
                    &reference.and_token,
                    &reference.lifetime,
                    &reference.mutability,
                );
                self.found.push(Borrow {
                    tokens: quote!(#and #lifetime #mutability),
                    message: "#[threaded] moves arguments to a new thread, so they cannot borrow; take an owned value (`String`, `Vec<T>`, `Arc<T>`) or a `&'static` reference".into(),
                });
            }
            self.visit_type(&reference.elem);
        }

        fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
            if self.borrows(Some(lifetime)) {
                self.found.push(Borrow {
                    tokens: quote!(#lifetime),
                    message: format!(
                        "#[threaded] moves arguments to a new thread, so they cannot hold the lifetime `{lifetime}`; take an owned value or use `'static`"
                    ),
                });
            }
        }

        fn visit_trait_bound(&mut self, bound: &'ast TraitBound) {
            self.with_binder(bound.lifetimes.as_ref(), |finder| {
                visit::visit_trait_bound(finder, bound);
            });
        }

        fn visit_type_fn_ptr(&mut self, _: &'ast syn::TypeFnPtr) {}

        fn visit_parenthesized_generic_arguments(
            &mut self,
            _: &'ast syn::ParenthesizedGenericArguments,
        ) {
        }

        fn visit_bound_lifetimes(&mut self, _: &'ast BoundLifetimes) {}
    }

    let mut finder = Finder::default();
    visit::visit_type(&mut finder, ty);
    finder.found
}

fn is_static(lifetime: &Lifetime) -> bool {
    lifetime.ident == "static"
}
