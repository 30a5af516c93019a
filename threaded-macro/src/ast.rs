//! The function `#[threaded]` is attached to.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{
    Attribute, Block, FnArg, Ident, Item, Pat, PatIdent, PatType, Signature, Type, Visibility,
};

/// A function with a body: free, associated, or a method.
pub(crate) struct Function {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) block: Block,
}

impl Function {
    /// The attributes in front of the function, and the `#![...]` ones written
    /// inside its body, which must stay inside.
    pub(crate) fn split_attrs(&self) -> (Vec<&Attribute>, Vec<&Attribute>) {
        self.attrs
            .iter()
            .partition(|attr| matches!(attr.style, syn::AttrStyle::Outer))
    }

    /// The parameters after the receiver, if any.
    pub(crate) fn typed_inputs(&self) -> impl Iterator<Item = &PatType> {
        self.sig.inputs.iter().filter_map(|arg| match arg {
            FnArg::Typed(pat_type) => Some(pat_type),
            FnArg::Receiver(_) => None,
        })
    }

    /// The arguments a `name = "...{arg}"` placeholder may use: plainly
    /// named ones, not `self`, not patterns, not raw identifiers (which
    /// `format!` cannot name), and not the `StopEvent` of `stoppable`.
    pub(crate) fn name_arguments(&self, stoppable: bool) -> Vec<&Ident> {
        self.typed_inputs()
            .skip(usize::from(stoppable))
            .filter_map(|input| match &*input.pat {
                Pat::Ident(PatIdent {
                    by_ref: None,
                    subpat: None,
                    ident,
                    ..
                }) if !ident.to_string().starts_with("r#") => Some(ident),
                _ => None,
            })
            .collect()
    }
}

pub(crate) fn parse(input: TokenStream) -> syn::Result<Function> {
    let item: Item = syn::parse2(input)?;
    match item {
        Item::Fn(item) => Ok(Function {
            attrs: item.attrs,
            vis: item.vis,
            sig: item.sig,
            block: *item.block,
        }),
        Item::Verbatim(tokens) => Err(syn::Error::new_spanned(
            tokens,
            "#[threaded] needs a function with a body; in a trait, put it on the `fn` in the `impl` block instead",
        )),
        other => Err(syn::Error::new_spanned(
            item_keyword(&other),
            "#[threaded] only applies to functions: `#[threaded] fn worker() { ... }`",
        )),
    }
}

/// The narrowest tokens that name what kind of item this is (`struct Foo`,
/// `impl`, `mod m`, ...), so the error does not underline a whole block.
fn item_keyword(item: &Item) -> TokenStream {
    match item {
        Item::Struct(item) => pair(&item.struct_token, &item.ident),
        Item::Enum(item) => pair(&item.enum_token, &item.ident),
        Item::Union(item) => pair(&item.union_token, &item.ident),
        Item::Trait(item) => pair(&item.trait_token, &item.ident),
        Item::Mod(item) => pair(&item.mod_token, &item.ident),
        Item::Const(item) => pair(&item.const_token, &item.ident),
        Item::Static(item) => pair(&item.static_token, &item.ident),
        Item::Type(item) => pair(&item.type_token, &item.ident),
        Item::Impl(item) => item.impl_token.to_token_stream(),
        Item::Use(item) => item.use_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}

fn pair(first: &impl ToTokens, second: &impl ToTokens) -> TokenStream {
    quote::quote!(#first #second)
}

/// `StopEvent`, however it is qualified (`threaded::StopEvent`, ...).
pub(crate) fn is_stop_event(ty: &Type) -> bool {
    match ty {
        Type::Group(group) => is_stop_event(&group.elem),
        Type::Paren(paren) => is_stop_event(&paren.elem),
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "StopEvent" && segment.arguments.is_none()),
        _ => false,
    }
}
