//! What is emitted beside a compile error: the signature callers expect, with
//! a body that never runs, so one mistake does not cascade into errors at
//! every call site.

use crate::ast::{self, Function};
use crate::attr::Options;
use crate::expand::output_type;
use proc_macro2::TokenStream;
use quote::quote;
use syn::FnArg;

pub(crate) fn expand(function: &Function, options: &Options) -> TokenStream {
    let Function { vis, sig, .. } = function;
    let (outer_attrs, inner_attrs) = function.split_attrs();
    let mut sig = sig.clone();
    sig.asyncness = None;
    sig.constness = None;
    sig.abi = None;
    sig.variadic = None;
    let output = output_type(&sig.output);
    let mut mentions = Vec::new();
    sig.output = if options.pool.is_some() {
        // `pool` wins over a conflicting `stoppable`: callers expect a `Job`.
        let krate = options.crate_path();
        syn::parse_quote!(-> #krate::pool::Job<#output>)
    } else if options.stoppable.is_some() {
        // Callers do not pass the `StopEvent`, wherever the user put it.
        let stop = sig
            .inputs
            .iter()
            .position(|arg| matches!(arg, FnArg::Typed(pat) if ast::is_stop_event(&pat.ty)));
        if let Some(stop) = stop {
            if let FnArg::Typed(pat) = &sig.inputs[stop] {
                // Keep naming its type, so its `use` does not turn unused.
                let ty = &pat.ty;
                mentions.push(
                    quote!(let _: ::core::option::Option<#ty> = ::core::option::Option::None;),
                );
            }
            sig.inputs = sig
                .inputs
                .into_iter()
                .enumerate()
                .filter_map(|(index, arg)| (index != stop).then_some(arg))
                .collect();
        }
        let krate = options.crate_path();
        syn::parse_quote!(-> #krate::StoppableThread<#output>)
    } else {
        syn::parse_quote!(-> ::std::thread::JoinHandle<#output>)
    };
    quote! {
        #(#outer_attrs)*
        #[allow(unused_variables, unused_mut)]
        #vis #sig {
            #(#inner_attrs)*
            #(#mentions)*
            ::core::panic!("#[threaded] could not expand this function; see the compile error")
        }
    }
}
