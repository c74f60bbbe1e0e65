//! The engine's modules form layers (see `src/lib.rs`): within every folder the
//! modules use one another without a cycle, and a top-level module uses only
//! modules of its own layer or below. This test reads the source with `syn` and
//! fails, naming the files and paths involved, when either rule is broken.
//!
//! What counts as "uses": every `use` declaration, and every path that starts at
//! `crate`, `super`, `self`, a child module or a name a `use` brought in. Paths
//! are followed through re-exports (`pub use child::Item`), so `crate::llm::X`
//! counts as a use of the module that defines `X`. A module using its own parent
//! or children is not a cycle (a folder's `mod.rs` re-exports what its files
//! define, and the files implement what it declares); everything else is.
//!
//! Why not cargo-modules (`dependencies --acyclic`): it builds rust-analyzer,
//! which took over 15 minutes on CI's two cores; this test builds in seconds
//! with the `syn` the project already compiles for serde.

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// The layer of each top-level module, as `src/lib.rs` documents it.
const LAYERS: &[(&str, u8)] = &[
    ("atomic_file", 1),
    ("clock", 1),
    ("conversation", 1),
    ("error", 1),
    ("events", 1),
    ("ids", 1),
    ("plain_words", 1),
    ("profile_data", 1),
    ("provider_id", 1),
    ("run_outcome", 1),
    ("settings", 1),
    ("docker", 2),
    ("llm", 3),
    ("packages", 3),
    ("sandbox", 3),
    ("profile", 3),
    ("session_container", 3),
    ("agent", 4),
    ("store", 4),
    ("engine", 5),
    ("bench", 5),
    ("eval", 5),
    ("replay_model", 5),
];

type ModPath = Vec<String>;

/// One module of the crate, read from its file.
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    /// Names brought in by `use`, each with the path it stands for.
    imports: HashMap<String, ModPath>,
    /// Every `use` path and every qualified path in the file, unresolved.
    references: Vec<ModPath>,
}

#[test]
fn modules_form_layers_without_cycles() {
    let modules = read_crate(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(
        modules.len() > 40,
        "found only {} modules: is the source tree where this test looks?",
        modules.len()
    );
    let edges = dependency_edges(&modules);
    let top_level_edge = |from: &str, to: &str| {
        edges.keys().any(|(a, b)| {
            a.first().is_some_and(|m| m == from) && b.first().is_some_and(|m| m == to)
        })
    };
    assert!(
        top_level_edge("engine", "sandbox") && top_level_edge("session_container", "packages"),
        "the reader missed engine -> sandbox or session_container -> packages: it cannot be trusted"
    );

    let mut problems = Vec::new();
    problems.extend(cycles(&edges));
    problems.extend(upward_uses(&edges));
    assert!(
        problems.is_empty(),
        "the module layers are broken:\n\n{}",
        problems.join("\n\n")
    );
}

/// The check itself must catch what it is for: a planted cycle between two
/// sibling modules is reported, and so is a bottom module reaching up.
#[test]
fn the_check_catches_a_cycle_and_a_module_reaching_up() {
    let planted = |from: &str, to: &str| {
        (
            (
                from.split("::").map(str::to_owned).collect::<Vec<_>>(),
                to.split("::").map(str::to_owned).collect::<Vec<_>>(),
            ),
            vec![format!("{from} uses {to}")],
        )
    };
    let edges: BTreeMap<_, _> = [
        planted("llm::client", "llm::config"),
        planted("llm::config", "llm::client"),
        planted("error", "llm::errors"),
    ]
    .into_iter()
    .collect();
    let found = cycles(&edges);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("llm::client") && found[0].contains("llm::config"));
    let up = upward_uses(&edges);
    assert_eq!(up.len(), 1, "{up:?}");
    assert!(up[0].contains("error (layer 1) uses llm (layer 3)"));
}

fn read_crate(src: &Path) -> BTreeMap<ModPath, Module> {
    let mut modules = BTreeMap::new();
    read_module(src, &src.join("lib.rs"), Vec::new(), &mut modules);
    modules
}

fn read_module(src: &Path, file: &Path, path: ModPath, modules: &mut BTreeMap<ModPath, Module>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut reader = Reader::default();
    reader.visit_file(&syntax);
    // `mod x;` in `a/mod.rs` or `lib.rs` is `a/x.rs` or `a/x/mod.rs`; in `a.rs`
    // it would be `a/x.rs` too, which the project does not use.
    let folder = match path.is_empty() {
        true => src.to_owned(),
        false => src.join(path.join("/")),
    };
    for child in &reader.children {
        let flat = folder.join(format!("{child}.rs"));
        let nested = folder.join(child).join("mod.rs");
        let child_file = if flat.exists() { flat } else { nested };
        let mut child_path = path.clone();
        child_path.push(child.clone());
        read_module(src, &child_file, child_path, modules);
    }
    modules.insert(
        path,
        Module {
            file: file.strip_prefix(src).unwrap_or(file).to_owned(),
            children: reader.children.into_iter().collect(),
            imports: reader.imports,
            references: reader.references,
        },
    );
}

/// Collects what one file declares and mentions, skipping `#[cfg(test)]` items
/// (tests may use anything).
#[derive(Default)]
struct Reader {
    children: Vec<String>,
    imports: HashMap<String, ModPath>,
    references: Vec<ModPath>,
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Path>()
                .is_ok_and(|p| p.is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Reader {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            _ => &[],
        };
        if is_cfg_test(attrs) {
            return;
        }
        if let syn::Item::Mod(m) = item
            && m.content.is_none()
        {
            self.children.push(m.ident.to_string());
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut flat = Vec::new();
        flatten_use(&item.tree, Vec::new(), &mut flat);
        for (path, name) in flat {
            if let Some(name) = name {
                self.imports.insert(name, path.clone());
            }
            self.references.push(path);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() > 1 {
            self.references
                .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, path);
    }
}

/// `use a::{b, c::{self, d as e}, f::*}` as (path, the name it brings in).
fn flatten_use(tree: &syn::UseTree, prefix: ModPath, out: &mut Vec<(ModPath, Option<String>)>) {
    let with = |name: &syn::Ident| {
        let mut path = prefix.clone();
        path.push(name.to_string());
        path
    };
    match tree {
        syn::UseTree::Path(p) => flatten_use(&p.tree, with(&p.ident), out),
        syn::UseTree::Name(n) if n.ident == "self" => {
            let name = prefix.last().cloned();
            out.push((prefix, name));
        }
        syn::UseTree::Name(n) => out.push((with(&n.ident), Some(n.ident.to_string()))),
        syn::UseTree::Rename(r) => out.push((with(&r.ident), Some(r.rename.to_string()))),
        syn::UseTree::Glob(_) => out.push((prefix, None)),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten_use(item, prefix.clone(), out);
            }
        }
    }
}

/// The module a path found in `from` leads to, or `None` for paths outside the
/// crate (std, other crates, local variables).
fn resolve(
    modules: &BTreeMap<ModPath, Module>,
    from: &ModPath,
    path: &[String],
    depth: usize,
) -> Option<ModPath> {
    if depth > 16 || path.is_empty() {
        return None;
    }
    let module = modules.get(from)?;
    let (mut at, rest): (ModPath, &[String]) = match path[0].as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (from.clone(), &path[1..]),
        "super" => {
            let mut at = from.clone();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                at.pop();
                rest = &rest[1..];
            }
            (at, rest)
        }
        first if module.children.contains(first) => (from.clone(), path),
        first => {
            let imported = module.imports.get(first)?;
            let target = resolve(modules, from, imported, depth + 1)?;
            // The import names a module: go on from there.
            match modules.contains_key(&target) && imported.len() > 1 {
                true => return walk(modules, target, &path[1..], depth),
                false => return Some(target),
            }
        }
    };
    if rest.is_empty() {
        return Some(at);
    }
    at = walk(modules, at, rest, depth)?;
    Some(at)
}

/// Descends from module `at` along `rest`: through child modules, and through a
/// module's imports when the next name is one (a re-export).
fn walk(
    modules: &BTreeMap<ModPath, Module>,
    mut at: ModPath,
    rest: &[String],
    depth: usize,
) -> Option<ModPath> {
    for (i, name) in rest.iter().enumerate() {
        let module = modules.get(&at)?;
        if module.children.contains(name) {
            at.push(name.clone());
            continue;
        }
        if let Some(imported) = module.imports.get(name)
            && imported.len() > 1
        {
            let target = resolve(modules, &at, imported, depth + 1).unwrap_or(at.clone());
            return walk(modules, target, &rest[i + 1..], depth + 1).or(Some(at));
        }
        break;
    }
    Some(at)
}

type Edges = BTreeMap<(ModPath, ModPath), Vec<String>>;

/// Every "module uses module" pair, with what showed it (file and path).
fn dependency_edges(modules: &BTreeMap<ModPath, Module>) -> Edges {
    let mut edges = Edges::new();
    for (from, module) in modules {
        for reference in &module.references {
            let Some(to) = resolve(modules, from, reference, 0) else {
                continue;
            };
            if &to != from {
                edges.entry((from.clone(), to)).or_default().push(format!(
                    "{}: {}",
                    module.file.display(),
                    reference.join("::")
                ));
            }
        }
    }
    edges
}

fn name(path: &[String]) -> String {
    match path.is_empty() {
        true => "crate".to_owned(),
        false => path.join("::"),
    }
}

/// Cycles among the modules of each folder. An edge between two modules is
/// lifted to the folder holding both: `llm::client -> llm::config` is an edge
/// between siblings, `docker::reaper -> sandbox::guard` one between `docker` and
/// `sandbox`. A module and its own ancestor are never siblings.
fn cycles(edges: &Edges) -> Vec<String> {
    let mut graph: DiGraph<ModPath, ()> = DiGraph::new();
    let mut nodes = HashMap::new();
    let mut evidence: HashMap<(ModPath, ModPath), Vec<String>> = HashMap::new();
    for ((from, to), why) in edges {
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if common == from.len() || common == to.len() {
            continue;
        }
        let (a, b) = (from[..=common].to_vec(), to[..=common].to_vec());
        let mut node = |p: &ModPath| {
            *nodes
                .entry(p.clone())
                .or_insert_with(|| graph.add_node(p.clone()))
        };
        let (na, nb) = (node(&a), node(&b));
        graph.update_edge(na, nb, ());
        evidence.entry((a, b)).or_default().extend(
            why.iter()
                .map(|w| format!("{w}  ({} -> {})", name(from), name(to))),
        );
    }
    tarjan_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let members: BTreeSet<ModPath> = scc.iter().map(|n| graph[*n].clone()).collect();
            let mut lines = vec![format!(
                "cycle between {}:",
                members
                    .iter()
                    .map(|m| name(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
            for ((a, b), why) in &evidence {
                if members.contains(a) && members.contains(b) {
                    lines.push(format!("  {} uses {}:", name(a), name(b)));
                    lines.extend(why.iter().take(4).map(|w| format!("    {w}")));
                }
            }
            lines.join("\n")
        })
        .collect()
}

/// Top-level modules using a module of a higher layer.
fn upward_uses(edges: &Edges) -> Vec<String> {
    let layer_of = |m: &ModPath| -> Option<u8> {
        let top = m.first()?;
        let found = LAYERS.iter().find(|(name, _)| name == top);
        Some(
            found
                .unwrap_or_else(|| panic!("{top} has no layer in LAYERS: give it one"))
                .1,
        )
    };
    let mut found = BTreeMap::new();
    for ((from, to), why) in edges {
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
            continue;
        };
        if lt > lf {
            found
                .entry((from[0].clone(), lf, to[0].clone(), lt))
                .or_insert_with(Vec::new)
                .extend(why.iter().cloned());
        }
    }
    found
        .into_iter()
        .map(|((from, lf, to, lt), why)| {
            let mut lines = vec![format!("{from} (layer {lf}) uses {to} (layer {lt}):")];
            lines.extend(why.iter().take(4).map(|w| format!("    {w}")));
            lines.join("\n")
        })
        .collect()
}
