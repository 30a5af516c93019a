//! The expansion: the function keeps its signature but returns the handle of
//! a new thread that runs the original body.

use crate::ast::{self, Function};
use crate::{attr, fallback, valid};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{FnArg, Ident, Pat, PatIdent, PatType, ReturnType, Token, Type};

pub(crate) fn threaded(args: TokenStream, input: TokenStream) -> TokenStream {
    let (options, option_errors) = attr::parse(args);
    let option_errors = option_errors.map(|error| error.to_compile_error());
    let function = match ast::parse(input.clone()) {
        Ok(function) => function,
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#input #error #option_errors);
        }
    };
    match valid::check(&function, &options) {
        Ok(()) => {
            let expanded = expand(&function, &options);
            quote!(#expanded #option_errors)
        }
        Err(error) => {
            let fallback = fallback::expand(&function, &options);
            let error = error.to_compile_error();
            quote!(#fallback #error #option_errors)
        }
    }
}

fn expand(function: &Function, options: &attr::Options) -> TokenStream {
    let Function {
        vis, sig, block, ..
    } = function;
    let output = output_type(&sig.output);
    // `impl Trait` cannot be written in a closure's return type; leave it to inference.
    let annotation = (!contains_impl_trait(&output)).then(|| quote!(-> #output));

    let mut inputs: Punctuated<FnArg, Token![,]> = Punctuated::new();
    let mut rebinds = Vec::new();
    let mut stop_param = None;
    for (index, arg) in sig.inputs.iter().enumerate() {
        let pat_type = match arg {
            FnArg::Receiver(receiver) => {
                // A `move` closure captures only the fields the body names;
                // taking `&self` here moves all of `self` into the thread.
                let self_token = &receiver.self_token;
                rebinds.push(quote!(let _ = &#self_token;));
                inputs.push(arg.clone());
                continue;
            }
            FnArg::Typed(pat_type) => pat_type,
        };
        if options.stoppable.is_some() && stop_param.is_none() {
            stop_param = Some(pat_type);
            continue;
        }
        let named = options.name.as_ref().is_some_and(
            |(name, _)| matches!(&*pat_type.pat, Pat::Ident(arg) if name.uses(&arg.ident)),
        );
        let (param, rebind) = move_into_thread(pat_type, index, named);
        inputs.push(FnArg::Typed(param));
        rebinds.push(rebind);
    }

    // Generated locals cannot clash with the user's names.
    let builder = Ident::new("__threaded_builder", Span::mixed_site());
    // Errors about what the thread needs (`Send`, `'static`) point at the
    // parameters; errors about what it returns point at the return type.
    // (A mixed-site span would be shown at the attribute instead, and the
    // user's body, defined before this binding, cannot see it anyway.)
    let main = Ident::new("__threaded_main", sig.paren_token.span.join());
    let return_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.ident.span(),
    };

    // A pool's threads are already named and sized: no builder to set up.
    let thread_setup = options.pool.is_none().then(|| {
        let name = thread_name(function, options);
        let stack_size = options
            .stack_size
            .as_ref()
            .map(|(size, _)| quote!(let #builder = #builder.stack_size(#size);));
        quote! {
            let #builder = ::std::thread::Builder::new().name(#name);
            #stack_size
        }
    });
    // The user's own braces and statements, after the arguments move in.
    let mut body = TokenStream::new();
    block.brace_token.surround(&mut body, |tokens| {
        tokens.extend(rebinds);
        tokens.append_all(&block.stmts);
    });
    let (outer_attrs, inner_attrs) = function.split_attrs();
    // rustc reports assignments to a `mut self` moved into a closure as never
    // read, although the body reads them: silence that false positive only.
    let mut_self = sig
        .receiver()
        .is_some_and(|receiver| receiver.mutability.is_some())
        .then(|| quote!(#[allow(unused_assignments)]));

    let (closure, return_type, spawn) = match stop_param {
        _ if options.pool.is_some() => pool_submit(
            options,
            &output,
            (annotation.as_ref(), &body, block.span()),
            &main,
            return_span,
        ),
        Some(stop) => {
            let krate = options.crate_path();
            let (pat, ty) = (&stop.pat, &stop.ty);
            (
                quote_spanned!(block.span()=> move |#pat: #ty| #annotation #body),
                quote_spanned!(return_span=> #krate::StoppableThread<#output>),
                quote_spanned!(return_span=> #krate::__private::spawn_stoppable_with(#builder, #main)),
            )
        }
        None => {
            let handle = Ident::new("__threaded_handle", Span::mixed_site());
            let spawn =
                quote_spanned!(return_span=> ::std::thread::Builder::spawn(#builder, #main));
            (
                quote_spanned!(block.span()=> move || #annotation #body),
                quote_spanned!(return_span=> ::std::thread::JoinHandle<#output>),
                quote! {
                    // The message of `std::thread::spawn`, which panics the same way.
                    #[allow(clippy::expect_used)]
                    let #handle = ::std::result::Result::expect(#spawn, "failed to spawn thread");
                    #handle
                },
            )
        }
    };

    let must_use = must_use(function, stop_param.is_some() || options.pool.is_some());
    let safety = &sig.safety;
    let ident = &sig.ident;
    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    quote! {
        #(#outer_attrs)*
        #must_use
        #vis #safety fn #ident #generics(#inputs) -> #return_type #where_clause {
            #(#inner_attrs)*
            #thread_setup
            #mut_self
            let #main = #closure;
            #spawn
        }
    }
}

/// Dropping the `JoinHandle` detaches the thread, which `main` returning
/// then kills mid-work: the call warns unless the handle is used.
///
/// A `StoppableThread` (dropping it stops the thread) and a pool's `Job` are
/// `#[must_use]` themselves, so a second warning would say nothing new; and a
/// `#[must_use]` the user wrote is theirs to keep.
fn must_use(function: &Function, own_must_use: bool) -> Option<TokenStream> {
    let written = function
        .attrs
        .iter()
        .any(|attr| attr.path().is_ident("must_use"));
    // An attribute cannot see whether its function is in a trait `impl`,
    // where `#[must_use]` is refused (the trait's declaration carries it);
    // such a function has no visibility, so only those need the `allow`.
    let in_trait_impl = matches!(function.vis, syn::Visibility::Inherited)
        .then(|| quote!(#[allow(unused_attributes)]));
    (!own_must_use && !written).then(|| {
        quote! {
            #[must_use = "the thread runs on detached and is killed when `main` returns; `.join()` the handle to wait for it, or write `let _ = ...` to detach it on purpose"]
            #in_trait_impl
        }
    })
}

/// `#[threaded(pool)]`: the closure, the `Job<R>` return type, and the
/// statements that submit the closure to the global pool or to `pool = EXPR`.
fn pool_submit(
    options: &attr::Options,
    output: &Type,
    closure_parts: (Option<&TokenStream>, &TokenStream, Span),
    main: &Ident,
    return_span: Span,
) -> (TokenStream, TokenStream, TokenStream) {
    let (annotation, body, block_span) = closure_parts;
    let krate = options.crate_path();
    let pool = Ident::new("__threaded_pool", Span::mixed_site());
    // A `&ThreadPool`, or anything that derefs to one (`&LazyLock<ThreadPool>`),
    // found by deref coercion; a type error points at the user's expression.
    let pool_ref = match options.pool.as_ref().and_then(|(expr, _)| expr.as_ref()) {
        Some(expr) => quote_spanned! {expr.span()=>
            let #pool: &#krate::pool::ThreadPool = &#expr;
        },
        None => quote! {
            let #pool: &#krate::pool::ThreadPool = #krate::pool::ThreadPool::global();
        },
    };
    (
        quote_spanned!(block_span=> move || #annotation #body),
        quote_spanned!(return_span=> #krate::pool::Job<#output>),
        quote_spanned! {return_span=>
            #pool_ref
            #krate::pool::ThreadPool::submit(#pool, #main)
        },
    )
}

/// The parameter as the outer function declares it, and the statement that
/// moves it into the thread. Plain names keep their name so rustdoc shows it;
/// patterns get a positional name and are destructured inside the thread, so
/// every argument is dropped there, as Python's `Thread(args=...)` would.
///
/// An argument the thread's name formats has been used, by the name: the
/// body need not use it again (`fn worker(id: u32)` named `worker-{id}`).
fn move_into_thread(pat_type: &PatType, index: usize, named: bool) -> (PatType, TokenStream) {
    let unused = named.then(|| quote!(unused_variables,));
    // `let x = x;` is how the argument moves in; lints about shadowing or
    // using an `_x` binding would flag our rebinding, not the user's code.
    let lints = quote!(#[allow(
        #unused
        clippy::redundant_locals,
        clippy::shadow_same,
        clippy::shadow_unrelated,
        clippy::used_underscore_binding,
        clippy::no_effect_underscore_binding
    )]);
    let mut param = pat_type.clone();
    if let Pat::Ident(PatIdent {
        by_ref: None,
        subpat: None,
        mutability,
        ident,
        ..
    }) = &*pat_type.pat
    {
        let rebind = quote! {
            #lints
            let #mutability #ident = #ident;
        };
        if let Pat::Ident(outer) = &mut *param.pat {
            outer.mutability = None;
        }
        return (param, rebind);
    }
    let positional = format_ident!(
        "__threaded_arg{}",
        index,
        span = Span::mixed_site().located_at(pat_type.pat.span())
    );
    let pat = &pat_type.pat;
    let rebind = quote! {
        #lints
        let #positional = #positional;
        let #pat = #positional;
    };
    *param.pat = Pat::Ident(PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident: positional,
        subpat: None,
    });
    (param, rebind)
}

/// What the thread returns: `()` when nothing is written, and `Infallible`
/// for `!`, which cannot be named in `JoinHandle<!>` on stable Rust.
pub(crate) fn output_type(output: &ReturnType) -> Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)) => {
            syn::parse_quote_spanned!(ty.span()=> ::core::convert::Infallible)
        }
        ReturnType::Type(_, ty) => (**ty).clone(),
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

/// The expression naming the thread: the explicit `name`, or the function's
/// own name, prefixed by its type's (`Type::method`) when it sits in an `impl`.
///
/// An attribute sees only the function, not the `impl` around it, so the type
/// is read at run time from `core::any::type_name`: of `Self` where the
/// signature proves the function is associated (per call, since a generic
/// `impl` has many `Self`s), else of an item nested in the function, whose
/// path shows what encloses it (once per function). Neither text is
/// guaranteed by std; if it ever changes shape the name falls back to the
/// function's alone. The code names everything by absolute path, so it works
/// under `#![no_implicit_prelude]` and with shadowed primitive types.
fn thread_name(function: &Function, options: &attr::Options) -> TokenStream {
    if let Some((template, span)) = &options.name {
        return template.expand(*span);
    }
    let function_name = function.sig.ident.unraw().to_string();
    let owner = quote! {
        /// `Type` out of `a::Type<T>` or `<a::Type<T> as a::Trait>`, if it is a name.
        fn __threaded_owner(path: &::core::primitive::str) -> ::core::option::Option<&::core::primitive::str> {
            let path = match path.strip_prefix('<') {
                ::core::option::Option::Some(inner) => {
                    ::core::iter::Iterator::next(&mut inner.split(" as ")).unwrap_or(inner)
                }
                ::core::option::Option::None => path,
            };
            let path = ::core::iter::Iterator::next(&mut path.split('<')).unwrap_or(path);
            let last = ::core::iter::Iterator::next(&mut path.rsplit("::")).unwrap_or(path);
            let starts_well = ::core::iter::Iterator::next(&mut last.chars())
                .is_some_and(|c| ::core::primitive::char::is_alphabetic(c) || c == '_');
            let is_name = starts_well
                && ::core::iter::Iterator::all(&mut last.chars(), |c| {
                    ::core::primitive::char::is_alphanumeric(c) || c == '_'
                });
            is_name.then_some(last)
        }
        fn __threaded_join(
            owner: ::core::option::Option<&::core::primitive::str>,
            function: &::core::primitive::str,
        ) -> ::std::string::String {
            match owner {
                ::core::option::Option::Some(owner) => ::std::format!("{owner}::{function}"),
                ::core::option::Option::None => ::std::borrow::ToOwned::to_owned(function),
            }
        }
    };
    // A receiver or a mention of `Self` proves the function is associated.
    if function.sig.receiver().is_some() || mentions_self(function.sig.to_token_stream()) {
        return quote! {{
            #owner
            __threaded_join(__threaded_owner(::core::any::type_name::<Self>()), #function_name)
        }};
    }
    quote! {{
        #owner
        fn __threaded_here() {}
        fn __threaded_type_name<T>(_: T) -> &'static ::core::primitive::str {
            ::core::any::type_name::<T>()
        }
        static __THREADED_NAME: ::std::sync::OnceLock<::std::string::String> =
            ::std::sync::OnceLock::new();
        ::std::clone::Clone::clone(__THREADED_NAME.get_or_init(|| {
            let function = #function_name;
            // `crate::module::Type::function::__threaded_here`, or without `Type`.
            let parent = __threaded_type_name(__threaded_here)
                .strip_suffix("::__threaded_here")
                .and_then(|path| path.strip_suffix(function))
                .and_then(|path| path.strip_suffix("::"))
                .filter(|parent| *parent != ::core::module_path!());
            // Told from an enclosing function by its case, as types are CamelCase.
            let owner = parent.and_then(|parent| {
                let owner = __threaded_owner(parent)?;
                let is_type = parent.starts_with('<')
                    || ::core::iter::Iterator::next(&mut owner.chars())
                        .is_some_and(::core::primitive::char::is_uppercase);
                is_type.then_some(owner)
            });
            __threaded_join(owner, function)
        }))
    }}
}

fn mentions_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "Self",
        TokenTree::Group(group) => mentions_self(group.stream()),
        _ => false,
    })
}
