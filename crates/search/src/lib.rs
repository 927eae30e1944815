//! Full-text search over the procedure catalog. An in-memory tantivy index is rebuilt from the
//! catalog (milliseconds for thousands of procedures) whenever the catalog changes.
//!
//! Matching: text is NFC-normalised, lower-cased and folded (tone and vowel marks removed,
//! đ → d), so "dang ky khai sinh" finds "Đăng ký khai sinh". Every word of the query must match
//! (Vietnamese is written syllable by syllable, so "any word" would match almost everything),
//! each exactly or within one edit, in the name, field, agency, documents or code. Ranking:
//! a national code typed exactly comes first, then names equal to the query, then relevance.
//! Facet counts (field, agency, level, online level) follow the other selected filters.

use std::collections::{BTreeMap, HashMap};

use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_domain::text::fold;
use motcua_store::{OnlineLevel, Procedure, ProcedureSummary};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{DocAddress, Index, IndexReader, Searcher, Term, doc};
use unicode_normalization::UnicodeNormalization;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
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
}

/// The searchable catalog.
pub struct CatalogIndex {
    reader: IndexReader,
    fields: Fields,
    items: Vec<ProcedureSummary>,
    folded_names: Vec<String>,
    by_code: HashMap<ProcedureCode, usize>,
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
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register(TOKENIZER, analyzer());
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let mut items = Vec::with_capacity(procedures.len());
        let mut folded_names = Vec::with_capacity(procedures.len());
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
            writer.add_document(doc!(
                fields.ord => ord as u64,
                fields.code => p.code.to_string(),
                fields.name => nfc(&format!("{} {}", p.name, p.name_en.as_deref().unwrap_or_default())),
                fields.field => nfc(&p.field),
                fields.agency => nfc(&format!("{agency_name} {}", p.implementing_body)),
                fields.documents => nfc(&documents),
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
            folded_names.push(fold(&p.name));
            by_code.insert(p.code, ord);
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(CatalogIndex {
            reader,
            fields,
            items,
            folded_names,
            by_code,
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
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

    fn text_query(&self, words: &[String]) -> BooleanQuery {
        let f = &self.fields;
        // (field, boost, typo-tolerant): typos are forgiven in names and fields only; short
        // syllables in long document lists would otherwise match almost anything.
        let weighted = [
            (f.name, 3.0, true),
            (f.field, 1.0, true),
            (f.agency, 1.0, false),
            (f.documents, 0.5, false),
        ];
        let per_word = words
            .iter()
            .map(|w| {
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (field, boost, fuzzy) in weighted {
                    let term = Term::from_field_text(field, w);
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                            boost * 2.0,
                        )),
                    ));
                    if fuzzy && w.chars().count() >= 2 {
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
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>,
                )
            })
            .collect();
        BooleanQuery::new(per_word)
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

    /// Searches, filters, counts facets and returns one page.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResult, SearchError> {
        let text = q.text.as_deref().map(str::trim).unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong);
        }
        let searcher = self.reader.searcher();
        let words = self.words(text);
        // Ranked candidates matching the text (all, when there is no text).
        let mut ranked: Vec<usize> = if words.is_empty() {
            let mut all: Vec<usize> = (0..self.items.len()).collect();
            all.sort_by_key(|&i| self.items[i].code);
            all
        } else {
            let query = self.text_query(&words);
            let hits = searcher.search(
                &query,
                &TopDocs::with_limit(self.items.len().max(1)).order_by_score(),
            )?;
            let ords = self.ords(&searcher, hits.iter().map(|(_, d)| *d))?;
            let folded = fold(text);
            let (mut exact, rest): (Vec<usize>, Vec<usize>) = ords
                .into_iter()
                .partition(|&i| self.folded_names[i] == folded);
            exact.extend(rest);
            exact
        };
        if let Ok(code) = ProcedureCode::parse(text)
            && let Some(&i) = self
                .by_code
                .get(&code)
                .or_else(|| self.by_code.get(&code.national()))
        {
            ranked.retain(|&x| x != i);
            ranked.insert(0, i);
        }
        let passes = |i: usize, skip: Dim| {
            let it = &self.items[i];
            (skip == Dim::Field || q.field.as_ref().is_none_or(|f| &it.field == f))
                && (skip == Dim::Agency || q.agency.is_none_or(|a| it.agency_code == a))
                && (skip == Dim::Level || q.level.as_ref().is_none_or(|l| &it.level == l))
                && (skip == Dim::Online || q.online_level.is_none_or(|o| it.online_level == o))
        };
        let matching: Vec<usize> = ranked
            .iter()
            .copied()
            .filter(|&i| passes(i, Dim::None))
            .collect();
        let mut facets = Facets::default();
        let count = |dim: Dim| {
            let mut m: BTreeMap<String, u64> = BTreeMap::new();
            for &i in ranked.iter().filter(|&&i| passes(i, dim)) {
                let it = &self.items[i];
                let key = match dim {
                    Dim::Field => it.field.clone(),
                    Dim::Agency => it.agency_code.to_string(),
                    Dim::Level => it.level.clone(),
                    Dim::Online => it.online_level.as_str().to_string(),
                    Dim::None => continue,
                };
                *m.entry(key).or_default() += 1;
            }
            let mut v: Vec<(String, u64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        facets.field = count(Dim::Field);
        facets.agency = count(Dim::Agency)
            .into_iter()
            .filter_map(|(k, n)| AgencyCode::parse(&k).ok().map(|a| (a, n)))
            .collect();
        facets.level = count(Dim::Level);
        facets.online_level = count(Dim::Online)
            .into_iter()
            .filter_map(|(k, n)| {
                [OnlineLevel::Full, OnlineLevel::Partial, OnlineLevel::None]
                    .into_iter()
                    .find(|o| o.as_str() == k)
                    .map(|o| (o, n))
            })
            .collect();
        let total = matching.len();
        let items = matching
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|i| self.items[i].clone())
            .collect();
        Ok(SearchResult {
            items,
            total,
            facets,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dim {
    None,
    Field,
    Agency,
    Level,
    Online,
}

#[cfg(test)]
mod tests;
