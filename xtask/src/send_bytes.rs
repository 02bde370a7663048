//! `send_bytes`: a second way to send the operations marked `x-send-bytes: true` in the
//! spec, added to progenitor's output by `cargo xtask codegen`.
//!
//! `send_bytes` is the generated `send` with one difference: a `200` answer comes back
//! unparsed, as a `tv_api::ByteStream`, instead of deserialized into the generated envelope.
//! Everything else — the URL, the query, the headers, the hooks (key, observer, body-size
//! limit, dry-run capture) and the error statuses — is the very code of `send`, cloned,
//! so the two cannot drift apart. `tv-client` uses it to decode series answers straight
//! from their bytes into typed points.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use syn::{Expr, ImplItem, ImplItemFn, Item, Lit, Pat, Stmt};

/// The spec's operation extension that asks for a `send_bytes`.
pub const EXTENSION: &str = "x-send-bytes";

/// The operationIds marked `x-send-bytes: true`.
pub fn marked_operations(spec: &openapiv3::OpenAPI) -> BTreeSet<String> {
    spec.operations()
        .filter(|(_, _, op)| op.extensions.get(EXTENSION) == Some(&serde_json::Value::Bool(true)))
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect()
}

/// Adds `send_bytes` next to the `send` of each builder in `operations`; fails when one
/// of them has no builder (a typo in the spec) or the generated `send` changed shape.
pub fn add(file: &mut syn::File, operations: &BTreeSet<String>) -> Result<()> {
    let mut done = BTreeSet::new();
    let builder = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut(),
        _ => None,
    });
    let Some((_, items)) = builder else {
        bail!("progenitor's output has no `builder` module");
    };
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        let send = block.items.iter().find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
            _ => None,
        });
        let Some(send) = send else { continue };
        let Some(id) = operation_id(send) else {
            bail!("a generated `send` without its OperationInfo");
        };
        if !operations.contains(&id) {
            continue;
        }
        let bytes = send_bytes(send, &id)?;
        block.items.push(ImplItem::Fn(bytes));
        done.insert(id);
    }
    if let Some(missing) = operations.difference(&done).next() {
        bail!("{EXTENSION}: no generated builder sends operation `{missing}`");
    }
    Ok(())
}

/// The `operation_id` of `let info = OperationInfo { operation_id: "…" };` in `send`.
fn operation_id(send: &ImplItemFn) -> Option<String> {
    send.block.stmts.iter().find_map(|stmt| {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let Expr::Struct(info) = &*local.init.as_ref()?.expr else {
            return None;
        };
        info.fields
            .iter()
            .find_map(|field| match (&field.member, &field.expr) {
                (syn::Member::Named(name), Expr::Lit(lit)) if name == "operation_id" => {
                    match &lit.lit {
                        Lit::Str(s) => Some(s.value()),
                        _ => None,
                    }
                }
                _ => None,
            })
    })
}

/// `send` cloned as `send_bytes`: the `200` arm returns the body as a stream.
fn send_bytes(send: &ImplItemFn, id: &str) -> Result<ImplItemFn> {
    let mut f = send.clone();
    f.sig.ident = syn::Ident::new("send_bytes", f.sig.ident.span());
    let doc = format!(
        " Like `send`, but a `200` answer is returned unparsed, as the bytes of its body \
         (`{EXTENSION}` on `{id}` in the spec)."
    );
    f.attrs.push(syn::parse_quote!(#[doc = ""]));
    f.attrs.push(syn::parse_quote!(#[doc = #doc]));
    // -> Result<ResponseValue<T>, Error<E>>  becomes  -> Result<ResponseValue<ByteStream>, Error<E>>
    let syn::ReturnType::Type(_, output) = &mut f.sig.output else {
        bail!("`send` of `{id}` returns nothing");
    };
    let value = generic_arg(output, "Result").and_then(|ok| generic_arg(ok, "ResponseValue"));
    let Some(value) = value else {
        bail!("`send` of `{id}` does not return Result<ResponseValue<_>, _>");
    };
    *value = syn::parse_quote!(ByteStream);
    let Some(Stmt::Expr(Expr::Match(answer), None)) = f.block.stmts.last_mut() else {
        bail!("`send` of `{id}` does not end with the match on the status");
    };
    let ok = answer.arms.iter_mut().find(|arm| match &arm.pat {
        Pat::Lit(lit) => matches!(&lit.lit, Lit::Int(n) if n.base10_digits() == "200"),
        _ => false,
    });
    let Some(ok) = ok else {
        bail!("`send` of `{id}` has no `200` arm");
    };
    *ok.body = syn::parse_quote!(Ok(ResponseValue::stream(response)));
    Ok(f)
}

/// The first generic argument of `ty` when `ty` is `name<…>`.
fn generic_arg<'a>(ty: &'a mut syn::Type, name: &str) -> Option<&'a mut syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last_mut()?;
    if segment.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments else {
        return None;
    };
    match args.args.first_mut()? {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    }
}
