//! Catalog search on the demo's whole catalog (the 1,575 procedures handled at provincial and
//! commune level and the 207 of the national sample): the accuracy on the citizens' query set
//! (`fixtures/search/queries.tsv`: top-1, top-3, and the queries missed), then the
//! server-side time of those queries, p50 and p99, on the demo catalog and a synthetic
//! 20,000-procedure catalog built from its words; beside a baseline measured in the same run:
//! a linear scan testing whether every folded query word occurs in the folded name (what a
//! plain `LIKE` search does, without typos or ranking).
//!
//! `cargo bench -p motcua-search`

use std::collections::HashMap;
use std::time::{Duration, Instant};

mod demo_catalog;

/// Citizens' queries with their answers.
const QUERIES: &str = include_str!("../../../fixtures/search/queries.tsv");

use motcua_domain::ids::ProcedureCode;
use motcua_domain::text::fold;
use motcua_procedures::Procedure;
use motcua_search::evaluation::{accuracy, query_set};
use motcua_search::{CatalogIndex, Phrases, SearchQuery};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn measure(
    label: &str,
    queries: &[&str],
    rounds: usize,
    mut run: impl FnMut(&str) -> usize,
) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(rounds * queries.len());
    let mut by_query: Vec<(Duration, &str)> = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for &q in queries {
        let mut own = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            hits += run(q);
            own.push(t.elapsed());
        }
        own.sort();
        by_query.push((own[own.len() / 2], q));
        times.extend(own);
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "  {label:<22} p50 {:>8.1} µs   p99 {:>8.1} µs   ({} queries, {hits} hits)",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        times.len()
    );
    by_query.sort_by_key(|q| std::cmp::Reverse(q.0));
    let slowest: Vec<String> = by_query
        .iter()
        .take(3)
        .map(|(t, q)| format!("{q:?} {:.0} µs", t.as_secs_f64() * 1e6))
        .collect();
    println!("    slowest (median): {}", slowest.join(", "));
    (p50, p99)
}

fn bench(name: &str, catalog: &[Procedure], queries: &[&str], rounds: usize) {
    let t = Instant::now();
    let index = CatalogIndex::build(catalog, &HashMap::new(), &Phrases::built_in()).expect("index");
    println!(
        "{name}: {} procedures, index built in {:.0} ms",
        catalog.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let (p50, p99) = measure("tantivy search", queries, rounds, |q| {
        index
            .search(&SearchQuery {
                text: Some(q.into()),
                limit: 20,
                ..SearchQuery::default()
            })
            .map(|r| r.items.len())
            .unwrap_or(0)
    });
    let folded: Vec<String> = catalog.iter().map(|p| fold(&p.name)).collect();
    let (b50, b99) = measure("linear folded scan", queries, rounds, |q| {
        let words: Vec<String> = fold(q).split_whitespace().map(str::to_string).collect();
        folded
            .iter()
            .filter(|n| words.iter().all(|w| n.contains(w.as_str())))
            .take(20)
            .count()
    });
    println!(
        "  ratio search/scan       p50 {:>8.2}      p99 {:>8.2}",
        p50.as_secs_f64() / b50.as_secs_f64(),
        p99.as_secs_f64() / b99.as_secs_f64()
    );
}

/// 20,000 procedures whose names mix the demo's words, deterministically.
fn synthetic(base: &[Procedure], n: usize) -> Vec<Procedure> {
    let words: Vec<&str> = base
        .iter()
        .flat_map(|p| p.name.split_whitespace())
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|i| {
            let mut p = base[i % base.len()].clone();
            let len = 6 + (next() % 10) as usize;
            p.name = (0..len)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ");
            p.code = ProcedureCode::parse(&format!("{}.{:06}", 1 + i / 900_000, 100_000 + i))
                .expect("code");
            p
        })
        .collect()
}

fn main() {
    let demo = demo_catalog::demo_catalog();
    let index = CatalogIndex::build(&demo, &HashMap::new(), &Phrases::built_in()).expect("index");
    let set = query_set(QUERIES).expect("query set");
    let acc = accuracy(&index, &set).expect("search");
    println!(
        "query set: {} citizens' queries on the demo catalog: top-1 {:.1}% ({}), top-3 {:.1}% ({})",
        acc.queries,
        acc.top1_share() * 100.0,
        acc.top1,
        acc.top3_share() * 100.0,
        acc.top3
    );
    for miss in &acc.misses {
        println!("  {miss}");
    }
    let queries: Vec<&str> = set.iter().map(|e| e.query.as_str()).collect();
    bench("demo catalog", &demo, &queries, 20);
    bench("synthetic catalog", &synthetic(&demo, 20_000), &queries, 2);
}
