//! A listing of `tv-client`'s public items, snapshot-tested (`tests/tests/workspace/client_surface.rs`)
//! so that an accidental change to the library's API fails a test.
//!
//! It reads the sources (no nightly rustdoc JSON): from `src/lib.rs`, every `pub` item of
//! every module but the `#[cfg(test)]` ones (private modules too, as what `pub use`
//! re-exports lives there; a `pub` item there that is not re-exported is listed all the
//! same), printed by prettyplease without bodies, docs or private fields: free
//! functions and inherent `pub fn`s with their signatures, structs with their public
//! fields, enums, traits, constants, `pub use` re-exports, and the header of every trait
//! impl (removing one breaks users too). Each module starts with a `// mod path` line;
//! `#[cfg]`, `#[derive]`, `#[non_exhaustive]` and `#[repr]` attributes are kept.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use syn::{Attribute, Fields, ImplItem, Item, Visibility};

/// The public surface of the crate whose `src` directory is `src`.
pub fn describe(src: &Path) -> Result<String> {
    let mut out = String::new();
    walk(&src.join("lib.rs"), src, "crate", &mut out)?;
    Ok(out)
}

/// Lists the module in `file` (named `path`), whose child modules live in `dir`.
fn walk(file: &Path, dir: &Path, path: &str, out: &mut String) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = syn::parse_file(&text).with_context(|| format!("parsing {}", file.display()))?;
    let here = file.parent().unwrap_or(dir);
    list(parsed.items, here, dir, path, out)
}

/// Lists `items`, read from a file in `here`, whose child modules live in `dir`.
fn list(items: Vec<Item>, here: &Path, dir: &Path, path: &str, out: &mut String) -> Result<()> {
    let mut kept = Vec::new();
    let mut modules = Vec::new();
    for item in items {
        match item {
            Item::Mod(module) if !test_only(&module.attrs) => modules.push(module),
            Item::Impl(block) => {
                if let Some(block) = impl_surface(block) {
                    kept.push(Item::Impl(block));
                }
            }
            item => {
                if let Some(item) = item_surface(item) {
                    kept.push(item);
                }
            }
        }
    }
    out.push_str(&format!("// mod {path}\n"));
    out.push_str(&unparse(kept));
    out.push('\n');
    for mut module in modules {
        let name = module.ident.to_string();
        // A private module's `pub` items are listed too: they are what `pub use`
        // re-exports (the client's methods live in the private `client`).
        let child = if public(&module.vis) {
            format!("{path}::{name}")
        } else {
            format!("{path}::{name} (private: its pub items as re-exported)")
        };
        let content = module.content.take();
        // `#[path = "file.rs"]`: relative to the directory of the declaring file.
        let path_attr = module.attrs.iter().find_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
        let cfg = api_attrs(&module.attrs);
        if !cfg.is_empty() {
            module.attrs = cfg;
            module.semi = Some(Default::default());
            out.push_str(&unparse(vec![Item::Mod(module.clone())]));
        }
        match (content, path_attr) {
            (Some((_, items)), _) => list(items, here, &dir.join(&name), &child, out)?,
            (None, Some(file)) => walk(&here.join(file), &dir.join(&name), &child, out)?,
            (None, None) => {
                let (file, sub) = module_file(dir, &name)?;
                walk(&file, &sub, &child, out)?;
            }
        }
    }
    Ok(())
}

/// `items` as prettyplease prints a file of them.
fn unparse(items: Vec<Item>) -> String {
    let mut file: syn::File = syn::parse_quote!();
    file.items = items;
    prettyplease::unparse(&file)
}

/// `dir/name.rs` (children in `dir/name/`) or `dir/name/mod.rs`.
fn module_file(dir: &Path, name: &str) -> Result<(PathBuf, PathBuf)> {
    let flat = dir.join(format!("{name}.rs"));
    if flat.exists() {
        return Ok((flat, dir.join(name)));
    }
    let nested = dir.join(name).join("mod.rs");
    anyhow::ensure!(
        nested.exists(),
        "no file for module {name} in {}",
        dir.display()
    );
    Ok((nested, dir.join(name)))
}

/// `#[cfg(test)]`.
fn test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

fn public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The attributes that are part of the API: cfg, derive, non_exhaustive, repr.
fn api_attrs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| {
            ["cfg", "derive", "non_exhaustive", "repr"]
                .iter()
                .any(|name| a.path().is_ident(name))
        })
        .cloned()
        .collect()
}

fn empty_block() -> syn::Block {
    syn::parse_quote!({})
}

/// A public item stripped to its surface, or `None` when it is not public.
fn item_surface(item: Item) -> Option<Item> {
    Some(match item {
        Item::Fn(mut f) if public(&f.vis) => {
            f.attrs = api_attrs(&f.attrs);
            f.block = Box::new(empty_block());
            Item::Fn(f)
        }
        Item::Struct(mut s) if public(&s.vis) => {
            s.attrs = api_attrs(&s.attrs);
            strip_fields(&mut s.fields);
            Item::Struct(s)
        }
        Item::Enum(mut e) if public(&e.vis) => {
            e.attrs = api_attrs(&e.attrs);
            for variant in &mut e.variants {
                variant.attrs = api_attrs(&variant.attrs);
                variant.discriminant = None;
                for field in variant.fields.iter_mut() {
                    field.attrs.clear();
                }
            }
            Item::Enum(e)
        }
        Item::Trait(mut t) if public(&t.vis) => {
            t.attrs = api_attrs(&t.attrs);
            for item in &mut t.items {
                match item {
                    syn::TraitItem::Fn(f) => {
                        f.attrs = api_attrs(&f.attrs);
                        f.default = None;
                        f.semi_token = Some(Default::default());
                    }
                    syn::TraitItem::Const(c) => {
                        c.attrs = api_attrs(&c.attrs);
                        c.default = None;
                    }
                    syn::TraitItem::Type(t) => t.attrs = api_attrs(&t.attrs),
                    _ => {}
                }
            }
            Item::Trait(t)
        }
        Item::Const(mut c) if public(&c.vis) => {
            c.attrs = api_attrs(&c.attrs);
            c.expr = Box::new(syn::parse_quote!(..));
            Item::Const(c)
        }
        Item::Static(mut s) if public(&s.vis) => {
            s.attrs = api_attrs(&s.attrs);
            s.expr = Box::new(syn::parse_quote!(..));
            Item::Static(s)
        }
        Item::Type(mut t) if public(&t.vis) => {
            t.attrs = api_attrs(&t.attrs);
            Item::Type(t)
        }
        Item::Use(mut u) if public(&u.vis) => {
            u.attrs = api_attrs(&u.attrs);
            Item::Use(u)
        }
        // A macro call at module level may define public items (a table expanded).
        Item::Macro(mut m) if m.ident.is_none() => {
            m.attrs = api_attrs(&m.attrs);
            Item::Macro(m)
        }
        _ => return None,
    })
}

/// Keeps the public fields only (a struct with a private field cannot be built by users:
/// the listing shows that by the fields it leaves out).
fn strip_fields(fields: &mut Fields) {
    let kept: Vec<syn::Field> = fields
        .iter()
        .filter(|f| public(&f.vis))
        .cloned()
        .map(|mut f| {
            f.attrs.clear();
            f
        })
        .collect();
    match fields {
        Fields::Named(named) => named.named = kept.into_iter().collect(),
        Fields::Unnamed(unnamed) => unnamed.unnamed = kept.into_iter().collect(),
        Fields::Unit => {}
    }
}

/// An inherent impl with its public items only (`None` when none is public), or the
/// header of a trait impl.
fn impl_surface(mut block: syn::ItemImpl) -> Option<syn::ItemImpl> {
    block.attrs = api_attrs(&block.attrs);
    if block.trait_.is_some() {
        block.items.clear();
        return Some(block);
    }
    block.items = block
        .items
        .into_iter()
        .filter_map(|item| match item {
            ImplItem::Fn(mut f) if public(&f.vis) => {
                f.attrs = api_attrs(&f.attrs);
                f.block = empty_block();
                Some(ImplItem::Fn(f))
            }
            ImplItem::Const(mut c) if public(&c.vis) => {
                c.attrs = api_attrs(&c.attrs);
                c.expr = syn::parse_quote!(..);
                Some(ImplItem::Const(c))
            }
            _ => None,
        })
        .collect();
    (!block.items.is_empty()).then_some(block)
}
