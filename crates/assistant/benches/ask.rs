//! The assistant on the demo's whole catalog (the 1,575 procedures handled at provincial and
//! commune level and the 207 of the national sample): first its quality on the citizens'
//! questions (`fixtures/assistant/questions.tsv`: top-1, answers to out-of-scope questions),
//! then the server-side time of a question, p50 and p99, beside a baseline measured in the
//! same run on the same questions: one plain catalog search (the search page's query).
//!
//! `cargo bench -p motcua-assistant`

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[path = "../../search/benches/demo_catalog.rs"]
mod demo_catalog;

use chrono::NaiveDate;
use motcua_assistant::evaluation::{question_set, score};
use motcua_assistant::{Context, plan, reply};
use motcua_domain::Lang;
use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
use motcua_search::{CatalogIndex, Phrases, SearchQuery};

const QUESTIONS: &str = include_str!("../../../fixtures/assistant/questions.tsv");
const ROUNDS: usize = 20;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn measure(label: &str, questions: &[&str], mut run: impl FnMut(&str)) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(ROUNDS * questions.len());
    for _ in 0..ROUNDS {
        for &q in questions {
            let t = Instant::now();
            run(q);
            times.push(t.elapsed());
        }
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "  {label:<28} p50 {:>8.1} µs   p99 {:>8.1} µs   ({} questions)",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        times.len()
    );
    (p50, p99)
}

fn main() {
    let list = demo_catalog::demo_catalog();
    let index = CatalogIndex::build(&list, &HashMap::new(), &Phrases::built_in()).expect("index");
    let records = list
        .into_iter()
        .map(|p| (p.code, p))
        .collect::<HashMap<_, _>>();
    let calendar = WorkingCalendar::new(CalendarConfig::default()).expect("calendar");
    let cx = Context {
        calendar: &calendar,
        today: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        hotline: None,
        lang: Lang::Vi,
        faq: &[],
    };
    let set = question_set(QUESTIONS).expect("question set");
    let s = score(&index, &records, &set, &cx).expect("score");
    println!(
        "questions: {} in scope, top-1 {:.1} % ({}); answered outright {} right, {} wrong; \
         out of scope: {} answered of {}",
        s.questions,
        100.0 * s.top1_share(),
        s.top1,
        s.answered_right,
        s.answered_wrong,
        s.answered_out_of_scope,
        s.out_of_scope
    );
    for miss in &s.misses {
        println!("  {miss}");
    }
    println!("time per question on {} procedures:", records.len());
    let questions: Vec<&str> = set.iter().map(|e| e.question.as_str()).collect();
    let (a50, a99) = measure("assistant (plan + reply)", &questions, |q| {
        let plan = plan(&index, q, None).expect("plan");
        std::hint::black_box(reply(
            &plan,
            plan.record().and_then(|c| records.get(c)),
            &cx,
        ));
    });
    let (s50, s99) = measure("plain catalog search", &questions, |q| {
        std::hint::black_box(
            index
                .search(&SearchQuery {
                    text: Some(q.into()),
                    limit: 20,
                    ..SearchQuery::default()
                })
                .expect("search"),
        );
    });
    println!(
        "  ratio assistant/search       p50 {:>8.2}      p99 {:>8.2}",
        a50.as_secs_f64() / s50.as_secs_f64(),
        a99.as_secs_f64() / s99.as_secs_f64()
    );
}
