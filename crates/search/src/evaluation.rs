//! Search quality measured on a set of citizens' queries with the procedures they look for
//! (`fixtures/search/queries.tsv`): the share found first (top-1) and among the first three
//! (top-3).

use motcua_domain::ids::ProcedureCode;
use motcua_procedures::ProcedureSummary;

use crate::{CatalogIndex, SearchError, SearchQuery};

/// One query and the procedures that answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub query: String,
    pub answers: Vec<ProcedureCode>,
}

/// A query-set line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query set, line {line}: {problem}")]
pub struct QuerySetError {
    pub line: usize,
    pub problem: String,
}

/// Reads the query set: `query<TAB>code,code…` per line; `#` starts a comment line.
pub fn query_set(tsv: &str) -> Result<Vec<Expected>, QuerySetError> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        let fail = |problem: String| QuerySetError {
            line: i + 1,
            problem,
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (query, codes) = line
            .split_once('\t')
            .ok_or_else(|| fail("no tab between the query and its answers".into()))?;
        let answers = codes
            .split(',')
            .map(|c| ProcedureCode::parse(c.trim()).map_err(|e| fail(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Expected {
            query: query.trim().to_string(),
            answers,
        });
    }
    Ok(out)
}

/// How a query set fared.
#[derive(Debug, Clone, PartialEq)]
pub struct Accuracy {
    pub queries: usize,
    pub top1: usize,
    pub top3: usize,
    /// Queries whose answer did not come first.
    pub misses: Vec<Miss>,
}

/// A query whose answer did not come first.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub query: String,
    /// What came first instead (code and name), if anything.
    pub first: Option<(ProcedureCode, String)>,
    /// Whether an answer was among the first three.
    pub in_top3: bool,
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let top3 = if self.in_top3 { "top-3" } else { "missed" };
        match &self.first {
            Some((code, name)) => write!(f, "[{top3}] {:?} → {code} {name}", self.query),
            None => write!(f, "[{top3}] {:?} → nothing", self.query),
        }
    }
}

impl Accuracy {
    pub fn top1_share(&self) -> f64 {
        self.top1 as f64 / self.queries.max(1) as f64
    }

    pub fn top3_share(&self) -> f64 {
        self.top3 as f64 / self.queries.max(1) as f64
    }
}

/// Runs every query of the set: an answer first counts for top-1, an answer among the first
/// three for top-3.
pub fn accuracy(index: &CatalogIndex, set: &[Expected]) -> Result<Accuracy, SearchError> {
    let mut acc = Accuracy {
        queries: set.len(),
        top1: 0,
        top3: 0,
        misses: Vec::new(),
    };
    for e in set {
        let found = index.search(&SearchQuery {
            text: Some(e.query.clone()),
            limit: 3,
            ..SearchQuery::default()
        })?;
        let answered = |p: &&ProcedureSummary| e.answers.contains(&p.code);
        let in_top3 = found.items.iter().any(|p| answered(&p));
        acc.top3 += usize::from(in_top3);
        if found.items.first().is_some_and(|p| answered(&p)) {
            acc.top1 += 1;
        } else {
            acc.misses.push(Miss {
                query: e.query.clone(),
                first: found.items.first().map(|p| (p.code, p.name.clone())),
                in_top3,
            });
        }
    }
    Ok(acc)
}
