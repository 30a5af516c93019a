//! The expansion: the function keeps its signature but returns the handle of
//! a new thread that runs the original body.

use crate::ast::{self, Function};
use crate::{attr, fallback, valid};
use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt, format_ident, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{FnArg, Pat, PatIdent, PatType, ReturnType, Token, Type};

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
        let (param, rebind) = move_into_thread(pat_type, index);
        inputs.push(FnArg::Typed(param));
        rebinds.push(rebind);
    }

    let name = thread_name(function, options);
    let stack_size = options
        .stack_size
        .as_ref()
        .map(|(size, _)| quote!(let __threaded_builder = __threaded_builder.stack_size(#size);));
    // The user's own braces and statements, after the arguments move in.
    let mut body = TokenStream::new();
    block.brace_token.surround(&mut body, |tokens| {
        tokens.extend(rebinds);
        tokens.append_all(&block.stmts);
    });
    let (outer_attrs, inner_attrs) = function.split_attrs();

    let (return_type, spawn) = match stop_param {
        Some(stop) => {
            let krate = options.crate_path();
            let (pat, ty) = (&stop.pat, &stop.ty);
            (
                quote!(#krate::StoppableThread<#output>),
                quote_spanned! {block.span()=>
                    #krate::__private::spawn_stoppable_with(
                        __threaded_builder,
                        move |#pat: #ty| #annotation #body,
                    )
                },
            )
        }
        None => (
            quote!(::std::thread::JoinHandle<#output>),
            quote_spanned! {block.span()=>
                ::std::result::Result::expect(
                    ::std::thread::Builder::spawn(__threaded_builder, move || #annotation #body),
                    "failed to spawn thread",
                )
            },
        ),
    };

    let constness = &sig.constness;
    let safety = &sig.safety;
    let ident = &sig.ident;
    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    quote! {
        #(#outer_attrs)*
        #vis #constness #safety fn #ident #generics(#inputs) -> #return_type #where_clause {
            #(#inner_attrs)*
            let __threaded_builder = ::std::thread::Builder::new().name(#name);
            #stack_size
            #spawn
        }
    }
}

/// The parameter as the outer function declares it, and the statement that
/// moves it into the thread. Plain names keep their name so rustdoc shows it;
/// patterns get a positional name and are destructured inside the thread, so
/// every argument is dropped there, as Python's `Thread(args=...)` would.
fn move_into_thread(pat_type: &PatType, index: usize) -> (PatType, TokenStream) {
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
            #[allow(clippy::redundant_locals)]
            let #mutability #ident = #ident;
        };
        if let Pat::Ident(outer) = &mut *param.pat {
            outer.mutability = None;
        }
        return (param, rebind);
    }
    let positional = format_ident!("__threaded_arg{}", index, span = pat_type.pat.span());
    let pat = &pat_type.pat;
    let rebind = quote! {
        #[allow(clippy::redundant_locals)]
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

pub(crate) fn output_type(output: &ReturnType) -> Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
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
/// is read at run time (once per function) from the path rustc gives a nested
/// item, compared with `module_path!()`. The code stays `std`-only on purpose.
fn thread_name(function: &Function, options: &attr::Options) -> TokenStream {
    if let Some((name, span)) = &options.name {
        return quote_spanned!(*span=> ::std::string::String::from(#name));
    }
    let function_name = function.sig.ident.to_string();
    // A receiver or a mention of `Self` proves the function is associated;
    // otherwise a type name is told from an enclosing function by its case.
    let associated =
        function.sig.receiver().is_some() || mentions_self(function.sig.to_token_stream());
    quote! {{
        fn __threaded_here() {}
        fn __threaded_type_name<T>(_: T) -> &'static str {
            ::core::any::type_name::<T>()
        }
        fn __threaded_thread_name(
            path: &str,
            module: &str,
            function: &str,
            associated: bool,
        ) -> ::std::string::String {
            let parent = path
                .strip_suffix("::__threaded_here")
                .and_then(|path| path.strip_suffix(function))
                .and_then(|path| path.strip_suffix("::"));
            let owner = match parent {
                ::core::option::Option::Some(parent) if parent != module => {
                    // `<a::Type<T> as a::Trait>` or `a::Type<T>`: keep `Type`.
                    let (parent, trait_impl) = match parent.strip_prefix('<') {
                        ::core::option::Option::Some(inner) => {
                            (inner.split(" as ").next().unwrap_or(inner), true)
                        }
                        ::core::option::Option::None => (parent, false),
                    };
                    let parent = parent.split('<').next().unwrap_or(parent);
                    let last = parent.rsplit("::").next().unwrap_or(parent);
                    let is_type = trait_impl
                        || associated
                        || last.chars().next().is_some_and(char::is_uppercase);
                    is_type.then_some(last)
                }
                _ => ::core::option::Option::None,
            };
            let function = function.strip_prefix("r#").unwrap_or(function);
            match owner {
                ::core::option::Option::Some(owner) => ::std::format!("{owner}::{function}"),
                ::core::option::Option::None => ::std::string::String::from(function),
            }
        }
        static __THREADED_NAME: ::std::sync::OnceLock<::std::string::String> =
            ::std::sync::OnceLock::new();
        ::std::clone::Clone::clone(__THREADED_NAME.get_or_init(|| {
            __threaded_thread_name(
                __threaded_type_name(__threaded_here),
                ::core::module_path!(),
                #function_name,
                #associated,
            )
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
