//! The `#[threaded]` attribute. Use it through the `threaded` crate.

#![warn(missing_docs)]

use proc_macro::TokenStream;

/// Placeholder, replaced by the real expansion.
#[proc_macro_attribute]
pub fn threaded(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
