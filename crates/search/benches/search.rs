//! Server-side query time of catalog search, p50 and p99, over the demo's whole catalog (the
//! 1,575 procedures handled at provincial and commune level and the 207 of the national
//! sample) and a synthetic 20,000-procedure catalog built from their words; beside a
//! baseline measured in the same run: a linear scan testing whether every folded query word
//! occurs in the folded name (what a plain `LIKE` search does, without typos or ranking).
//!
//! `cargo bench -p motcua-search`

use std::collections::HashMap;
use std::time::{Duration, Instant};

use motcua_catalog::portal::{CatalogAgencies, FieldRoutes, procedures};
use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::text::fold;
use motcua_procedures::Procedure;
use motcua_search::{CatalogIndex, SearchQuery};

const DEMO: &str = include_str!("../../../fixtures/catalog/tthc-national-sample-207.json");
const LOCAL: &str = include_str!("../../../fixtures/catalog/tthc-catalog-local-2026-06.json");
const ROUTING: &str = include_str!("../../../fixtures/catalog/routing-quang-ninh.csv");

const QUERIES: [&str; 20] = [
    "đăng ký khai sinh",
    "dang ky ket hon",
    "kết hôn",
    "cấp đổi giấy phép lái xe",
    "dang ky ho kinh doanh",
    "ly lich tu phap",
    "chứng thực bản sao",
    "đăng ký thường trú",
    "dang ky nghia vu quan su",
    "đăng ký nghĩa vụ quân sự",
    "dang ki nghia vu quan su",
    "tham dinh phe duyet ke hoach ung pho su co tran dau",
    "giay phep",
    "vat lieu no cong nghiep",
    "1.013133",
    "che do chinh sach",
    "khieu nai",
    "bien phong cua khau",
    "xac nhan",
    "quan nhan",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn measure(label: &str, rounds: usize, mut run: impl FnMut(&str) -> usize) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(rounds * QUERIES.len());
    let mut hits = 0;
    for _ in 0..rounds {
        for q in QUERIES {
            let t = Instant::now();
            hits += run(q);
            times.push(t.elapsed());
        }
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "  {label:<22} p50 {:>8.1} µs   p99 {:>8.1} µs   ({} queries, {hits} hits)",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        times.len()
    );
    (p50, p99)
}

fn bench(name: &str, catalog: &[Procedure], rounds: usize) {
    let t = Instant::now();
    let index = CatalogIndex::build(catalog, &HashMap::new()).expect("index");
    println!(
        "{name}: {} procedures, index built in {:.0} ms",
        catalog.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let (p50, p99) = measure("tantivy search", rounds, |q| {
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
    let (b50, b99) = measure("linear folded scan", rounds, |q| {
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
    let a = |s: &str| AgencyCode::parse(s).expect("code");
    let agencies = CatalogAgencies {
        province: a("000.00.00.H22"),
        military_command: a("000.00.20.H22"),
        inspectorate: a("000.00.15.H22"),
        ministry: a("000.00.00.G01"),
    };
    let mut demo = procedures(DEMO, &agencies).expect("demo catalog");
    let routes =
        FieldRoutes::parse(ROUTING, agencies.province, a("000.00.14.H22")).expect("routing");
    demo.extend(procedures(LOCAL, &routes).expect("local catalog"));
    bench("demo catalog", &demo, 200);
    bench("synthetic catalog", &synthetic(&demo, 20_000), 20);
}
