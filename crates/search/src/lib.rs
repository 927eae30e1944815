//! Full-text search over the procedure catalog. An in-memory tantivy index is rebuilt from the
//! catalog (milliseconds for thousands of procedures) whenever the catalog changes.
//!
//! Matching: text is NFC-normalised, lower-cased and folded (tone and vowel marks removed,
//! đ → d), so "dang ky khai sinh" finds "Đăng ký khai sinh". Every word of the query must match
//! (Vietnamese is written syllable by syllable, so "any word" would match almost everything),
//! each exactly or within one edit, in the name, field, agency, documents or code. Ranking:
//! a national code typed exactly comes first, then names equal to the query, then relevance.
//! Facet counts (field, agency, level, online level) follow the other selected filters.

use std::collections::HashMap;

use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::text::fold;
use motcua_procedures::{OnlineLevel, Procedure, ProcedureSummary};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{DocAddress, Index, IndexReader, Searcher, Term, doc};
use unicode_normalization::UnicodeNormalization;

/// Longest query accepted, in characters: room for the full name of any procedure pasted as
/// it is published (the longest has 1,094 characters).
pub const MAX_QUERY_CHARS: usize = 2_000;
/// Words of a query that are used; more add nothing but work.
const MAX_WORDS: usize = 12;
const TOKENIZER: &str = "vi_folded";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("search index failure")]
    Index(#[from] tantivy::TantivyError),
}

/// What to look for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: Option<String>,
    pub field: Option<String>,
    pub agency: Option<AgencyCode>,
    pub level: Option<String>,
    pub online_level: Option<OnlineLevel>,
    pub offset: usize,
    pub limit: usize,
}

/// Counts of the matching procedures by value, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub field: Vec<(String, u64)>,
    pub agency: Vec<(AgencyCode, u64)>,
    pub level: Vec<(String, u64)>,
    pub online_level: Vec<(OnlineLevel, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    /// The requested page, in rank order.
    pub items: Vec<ProcedureSummary>,
    pub total: usize,
    pub facets: Facets,
}

struct Fields {
    ord: Field,
    code: Field,
    name: Field,
    field: Field,
    agency: Field,
    documents: Field,
    /// Exact values for filtering: `field`, `agency_code`, `level`, `online_level`.
    filters: [Field; 4],
}

/// Facet values of one procedure, as small numbers (index into `CatalogIndex::values`).
type Dims = [u32; 4];
const FIELD: usize = 0;
const AGENCY: usize = 1;
const LEVEL: usize = 2;
const ONLINE: usize = 3;

/// The searchable catalog.
pub struct CatalogIndex {
    reader: IndexReader,
    fields: Fields,
    items: Vec<ProcedureSummary>,
    dims: Vec<Dims>,
    /// Facet values by dimension; `Dims` index into these.
    values: [Vec<String>; 4],
    by_folded_name: HashMap<String, Vec<usize>>,
    by_code: HashMap<ProcedureCode, usize>,
    /// All ordinals sorted by code (the order without search text).
    by_code_order: Vec<usize>,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// How forgiving a text query is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Typos {
    /// Typo-tolerant only for words the catalog does not contain.
    UnknownWords,
    /// Typo-tolerant for every word (the fallback when the first try finds nothing).
    AllWords,
}

impl CatalogIndex {
    /// Indexes the catalog; `agency_names` lets people search by the implementing agency.
    pub fn build(
        procedures: &[Procedure],
        agency_names: &HashMap<AgencyCode, String>,
    ) -> Result<Self, SearchError> {
        let mut sb = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            ord: sb.add_u64_field("ord", INDEXED | FAST),
            code: sb.add_text_field("code", STRING),
            name: sb.add_text_field("name", text.clone()),
            field: sb.add_text_field("field", text.clone()),
            agency: sb.add_text_field("agency", text.clone()),
            documents: sb.add_text_field("documents", text),
            filters: [
                sb.add_text_field("f_field", STRING),
                sb.add_text_field("f_agency", STRING),
                sb.add_text_field("f_level", STRING),
                sb.add_text_field("f_online", STRING),
            ],
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register(TOKENIZER, analyzer());
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let mut values: [Vec<String>; 4] = Default::default();
        let mut interned: [HashMap<String, u32>; 4] = Default::default();
        let mut items = Vec::with_capacity(procedures.len());
        let mut dims = Vec::with_capacity(procedures.len());
        let mut by_folded_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_code = HashMap::with_capacity(procedures.len());
        for (ord, p) in procedures.iter().enumerate() {
            let agency_name = agency_names
                .get(&p.agency)
                .map(String::as_str)
                .unwrap_or_default();
            let documents: String = p
                .documents
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(" \n ");
            let keys = [
                p.field.clone(),
                p.agency.to_string(),
                p.level.clone(),
                p.online_level.as_str().to_string(),
            ];
            let mut d: Dims = [0; 4];
            for (k, key) in keys.iter().enumerate() {
                let next = values[k].len() as u32;
                d[k] = *interned[k].entry(key.clone()).or_insert_with(|| {
                    values[k].push(key.clone());
                    next
                });
            }
            writer.add_document(doc!(
                fields.ord => ord as u64,
                fields.code => p.code.to_string(),
                fields.name => nfc(&format!("{} {}", p.name, p.name_en.as_deref().unwrap_or_default())),
                fields.field => nfc(&p.field),
                fields.agency => nfc(&format!("{agency_name} {}", p.implementing_body)),
                fields.documents => nfc(&documents),
                fields.filters[FIELD] => keys[FIELD].clone(),
                fields.filters[AGENCY] => keys[AGENCY].clone(),
                fields.filters[LEVEL] => keys[LEVEL].clone(),
                fields.filters[ONLINE] => keys[ONLINE].clone(),
            ))?;
            items.push(ProcedureSummary {
                code: p.code,
                name: p.name.clone(),
                field: p.field.clone(),
                level: p.level.clone(),
                agency_code: p.agency,
                online_level: p.online_level,
                processing_time: p.processing_time,
            });
            dims.push(d);
            by_folded_name.entry(fold(&p.name)).or_default().push(ord);
            by_code.insert(p.code, ord);
        }
        writer.commit()?;
        let reader = index.reader()?;
        let mut by_code_order: Vec<usize> = (0..items.len()).collect();
        by_code_order.sort_by_key(|&i| items[i].code);
        Ok(CatalogIndex {
            reader,
            fields,
            items,
            dims,
            values,
            by_folded_name,
            by_code,
            by_code_order,
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The list view of one procedure.
    pub fn get(&self, code: &ProcedureCode) -> Option<&ProcedureSummary> {
        self.by_code.get(code).map(|&i| &self.items[i])
    }

    /// The words of a query as the index sees them.
    fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = analyzer();
        let normalised = nfc(text);
        let mut stream = analyzer.token_stream(&normalised);
        let mut words = Vec::new();
        while stream.advance() {
            if words.len() == MAX_WORDS {
                break;
            }
            words.push(stream.token().text.clone());
        }
        words
    }

    fn text_query(
        &self,
        searcher: &Searcher,
        words: &[String],
        typos: Typos,
    ) -> Result<BooleanQuery, SearchError> {
        let f = &self.fields;
        // (field, boost, typo-tolerant): typos are forgiven in names and fields only; short
        // syllables in long document lists would otherwise match almost anything.
        let weighted = [
            (f.name, 3.0, true),
            (f.field, 1.0, true),
            (f.agency, 1.0, false),
            (f.documents, 0.5, false),
        ];
        let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
        for w in words {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let known = typos == Typos::UnknownWords
                && (searcher.doc_freq(&Term::from_field_text(f.name, w))? > 0
                    || searcher.doc_freq(&Term::from_field_text(f.field, w))? > 0);
            for (field, boost, fuzzy) in weighted {
                let term = Term::from_field_text(field, w);
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost * 2.0,
                    )),
                ));
                if fuzzy && !known && w.chars().count() >= 2 {
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(term, 1, true)),
                            boost * 0.5,
                        )),
                    ));
                }
            }
            alternatives.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.code, w),
                    IndexRecordOption::Basic,
                )),
            ));
            per_word.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
        }
        Ok(BooleanQuery::new(per_word))
    }

    fn ords(
        &self,
        searcher: &Searcher,
        docs: impl IntoIterator<Item = DocAddress>,
    ) -> Result<Vec<usize>, SearchError> {
        let mut columns = HashMap::new();
        let mut out = Vec::new();
        for d in docs {
            let column = match columns.entry(d.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(d.segment_ord)
                        .fast_fields()
                        .u64("ord")?,
                ),
            };
            if let Some(ord) = column.first(d.doc_id) {
                out.push(ord as usize);
            }
        }
        Ok(out)
    }

    /// The filter of each dimension as a value id; `None` = no filter, `Some(None)` = a value
    /// the catalog does not have (nothing can match).
    fn wanted(&self, q: &SearchQuery) -> [Option<Option<u32>>; 4] {
        let keys = [
            q.field.clone(),
            q.agency.map(|a| a.to_string()),
            q.level.clone(),
            q.online_level.map(|o| o.as_str().to_string()),
        ];
        let mut out = [None; 4];
        for (k, key) in keys.into_iter().enumerate() {
            out[k] = key.map(|key| {
                self.values[k]
                    .iter()
                    .position(|v| *v == key)
                    .map(|i| i as u32)
            });
        }
        out
    }

    /// Searches, filters, counts facets and returns one page.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResult, SearchError> {
        let text = q.text.as_deref().map(str::trim).unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong);
        }
        let searcher = self.reader.searcher();
        let words = self.words(text);
        let wanted = self.wanted(q);
        let passes = |i: usize, skip: usize| {
            (0..4).all(|k| k == skip || wanted[k].is_none_or(|w| w == Some(self.dims[i][k])))
        };
        // Everything the text matches, unfiltered (facets need it), and the query that found it.
        let (matched, query) = if words.is_empty() {
            (self.by_code_order.clone(), None)
        } else {
            let mut found = None;
            for typos in [Typos::UnknownWords, Typos::AllWords] {
                let query = self.text_query(&searcher, &words, typos)?;
                let docs = searcher.search(&query, &DocSetCollector)?;
                if !docs.is_empty() || typos == Typos::AllWords {
                    found = Some((self.ords(&searcher, docs)?, Some(query)));
                    break;
                }
            }
            found.unwrap_or_default()
        };
        // A national code typed exactly is a match, though its words are not the code's.
        let by_code = ProcedureCode::parse(text).ok().and_then(|code| {
            self.by_code
                .get(&code)
                .or_else(|| self.by_code.get(&code.national()))
                .copied()
        });
        let mut matched = matched;
        if let Some(i) = by_code
            && !matched.contains(&i)
        {
            matched.push(i);
        }
        let mut counts: [Vec<u64>; 4] = std::array::from_fn(|k| vec![0; self.values[k].len()]);
        let mut total = 0;
        for &i in &matched {
            for (k, count) in counts.iter_mut().enumerate() {
                if passes(i, k) {
                    count[self.dims[i][k] as usize] += 1;
                }
            }
            if passes(i, usize::MAX) {
                total += 1;
            }
        }
        // The page: a typed national code first, then names equal to the query, then the best
        // scores among the filtered matches.
        let mut first: Vec<usize> = by_code.into_iter().collect();
        first.extend(
            self.by_folded_name
                .get(&fold(text))
                .into_iter()
                .flatten()
                .copied(),
        );
        let mut seen = std::collections::HashSet::new();
        first.retain(|&i| passes(i, usize::MAX) && seen.insert(i));
        let wanted_len = q.offset.saturating_add(q.limit);
        let impossible = wanted.iter().any(|w| matches!(w, Some(None)));
        let rest: Vec<usize> = match query {
            _ if impossible => Vec::new(),
            None => matched
                .into_iter()
                .filter(|&i| passes(i, usize::MAX))
                .take(wanted_len)
                .collect(),
            Some(query) => {
                let mut filtered: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, Box::new(query))];
                for (k, w) in wanted.iter().enumerate() {
                    if let Some(Some(id)) = w {
                        let term = Term::from_field_text(
                            self.fields.filters[k],
                            &self.values[k][*id as usize],
                        );
                        filtered.push((
                            Occur::Must,
                            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                        ));
                    }
                }
                let top = searcher.search(
                    &BooleanQuery::new(filtered),
                    &TopDocs::with_limit((wanted_len + first.len()).max(1)).order_by_score(),
                )?;
                self.ords(&searcher, top.into_iter().map(|(_, d)| d))?
            }
        };
        let items = first
            .iter()
            .copied()
            .chain(rest.into_iter().filter(|i| !first.contains(i)))
            .skip(q.offset)
            .take(q.limit)
            .map(|i| self.items[i].clone())
            .collect();
        let facet = |k: usize| {
            let mut v: Vec<(String, u64)> = counts[k]
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(id, n)| (self.values[k][id].clone(), *n))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let facets = Facets {
            field: facet(FIELD),
            agency: facet(AGENCY)
                .into_iter()
                .filter_map(|(k, n)| AgencyCode::parse(&k).ok().map(|a| (a, n)))
                .collect(),
            level: facet(LEVEL),
            online_level: facet(ONLINE)
                .into_iter()
                .filter_map(|(k, n)| {
                    [OnlineLevel::Full, OnlineLevel::Partial, OnlineLevel::None]
                        .into_iter()
                        .find(|o| o.as_str() == k)
                        .map(|o| (o, n))
                })
                .collect(),
        };
        Ok(SearchResult {
            items,
            total,
            facets,
        })
    }
}

#[cfg(test)]
mod tests;
