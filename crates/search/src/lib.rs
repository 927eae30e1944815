//! Full-text search over the procedure catalog. An in-memory tantivy index is rebuilt from the
//! catalog (milliseconds for thousands of procedures) whenever the catalog changes.
//!
//! Matching: text is NFC-normalised, lower-cased and folded (tone and vowel marks removed,
//! đ → d), so "dang ky khai sinh" finds "Đăng ký khai sinh". A word typed with its marks is
//! matched with them — "kết hôn" does not find "hơn" — on a second copy of the text whose
//! words keep their letters (ô, ơ, ư, â, ă, ê, đ) and carry their tone apart from its
//! position, so "hoà" and "hòa" are one word. Every word of the query must match (Vietnamese
//! is written syllable by syllable, so "any word" would match almost everything), each
//! exactly or, for a word typed without marks, within one edit, in the name, field, agency,
//! documents or code; when nothing matches, marks are ignored as a last try. Ranking: a
//! national code typed exactly comes first, then names equal to the query, then relevance.
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
const MARKED: &str = "vi_marked";

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
    /// The same four with their marks kept ([`marked`]).
    name_m: Field,
    field_m: Field,
    agency_m: Field,
    documents_m: Field,
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
    by_marked_name: HashMap<String, Vec<usize>>,
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

fn marked_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build()
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// The tone marks of Vietnamese (grave, acute, tilde, hook above, dot below), as combining
/// characters.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// One word with its letters kept and its tone moved to the end as a digit: "hôn" → "hôn0",
/// "hồn" → "hôn1", "hoà" and "hòa" → "hoa1". Vowel marks (ô, ơ, ư, â, ă, ê) and đ stay.
fn marked_word(word: &str) -> String {
    let mut tone = 0;
    let mut base = String::with_capacity(word.len());
    for c in word.nfd() {
        match TONES.iter().position(|t| *t == c) {
            Some(i) => tone = i + 1,
            None => base.extend(c.to_lowercase()),
        }
    }
    let mut out: String = base.nfc().collect();
    out.push(char::from(b'0' + tone as u8));
    out
}

/// A text as the marked fields hold it: each word through [`marked_word`].
fn marked(text: &str) -> String {
    nfc(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(marked_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a word was typed with any mark (a tone, a vowel mark or đ).
fn has_marks(word: &str) -> bool {
    fold(word) != word.to_lowercase()
}

/// A word of a query: as folded, and as marked when it was typed with marks.
struct Word {
    folded: String,
    marked: Option<String>,
}

/// Whether the marks a person typed count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Marks {
    Respected,
    /// The last try, when nothing matches the marks as typed.
    Ignored,
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
        let marked_text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(MARKED)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            ord: sb.add_u64_field("ord", INDEXED | FAST),
            code: sb.add_text_field("code", STRING),
            name: sb.add_text_field("name", text.clone()),
            field: sb.add_text_field("field", text.clone()),
            agency: sb.add_text_field("agency", text.clone()),
            documents: sb.add_text_field("documents", text.clone()),
            name_m: sb.add_text_field("name_m", marked_text.clone()),
            field_m: sb.add_text_field("field_m", marked_text.clone()),
            agency_m: sb.add_text_field("agency_m", marked_text.clone()),
            documents_m: sb.add_text_field("documents_m", marked_text),
            filters: [
                sb.add_text_field("f_field", STRING),
                sb.add_text_field("f_agency", STRING),
                sb.add_text_field("f_level", STRING),
                sb.add_text_field("f_online", STRING),
            ],
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register(TOKENIZER, analyzer());
        index.tokenizers().register(MARKED, marked_analyzer());
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let mut values: [Vec<String>; 4] = Default::default();
        let mut interned: [HashMap<String, u32>; 4] = Default::default();
        let mut items = Vec::with_capacity(procedures.len());
        let mut dims = Vec::with_capacity(procedures.len());
        let mut by_folded_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_marked_name: HashMap<String, Vec<usize>> = HashMap::new();
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
            let name = format!("{} {}", p.name, p.name_en.as_deref().unwrap_or_default());
            let agency_text = format!("{agency_name} {}", p.implementing_body);
            writer.add_document(doc!(
                fields.ord => ord as u64,
                fields.code => p.code.to_string(),
                fields.name => nfc(&name),
                fields.field => nfc(&p.field),
                fields.agency => nfc(&agency_text),
                fields.documents => nfc(&documents),
                fields.name_m => marked(&name),
                fields.field_m => marked(&p.field),
                fields.agency_m => marked(&agency_text),
                fields.documents_m => marked(&documents),
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
            by_marked_name.entry(marked(&p.name)).or_default().push(ord);
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
            by_marked_name,
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

    /// The words of a query as the index sees them: split where the index splits, folded as
    /// it folds, and marked when typed with marks.
    fn words(&self, text: &str) -> Vec<Word> {
        let mut analyzer = analyzer();
        let mut words = Vec::new();
        for raw in nfc(text).split(|c: char| !c.is_alphanumeric()) {
            if words.len() == MAX_WORDS {
                break;
            }
            let mut stream = analyzer.token_stream(raw);
            if stream.advance() {
                words.push(Word {
                    folded: stream.token().text.clone(),
                    marked: has_marks(raw).then(|| marked_word(raw)),
                });
            }
        }
        words
    }

    fn text_query(
        &self,
        searcher: &Searcher,
        words: &[Word],
        typos: Typos,
        marks: Marks,
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
        let marked = [
            (f.name_m, 3.0),
            (f.field_m, 1.0),
            (f.agency_m, 1.0),
            (f.documents_m, 0.5),
        ];
        let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
        for word in words {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let w = &word.folded;
            if let (Some(m), Marks::Respected) = (&word.marked, marks) {
                // Typed with its marks: those marks, exactly.
                for (field, boost) in marked {
                    let term = Term::from_field_text(field, m);
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                            boost * 2.0,
                        )),
                    ));
                }
                per_word.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
                continue;
            }
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
            let tries = [
                (Typos::UnknownWords, Marks::Respected),
                (Typos::AllWords, Marks::Respected),
                (Typos::UnknownWords, Marks::Ignored),
                (Typos::AllWords, Marks::Ignored),
            ];
            for (typos, marks) in tries {
                let query = self.text_query(&searcher, &words, typos, marks)?;
                let docs = searcher.search(&query, &DocSetCollector)?;
                if !docs.is_empty() || (typos, marks) == (Typos::AllWords, Marks::Ignored) {
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
        let same_name = if has_marks(text) {
            self.by_marked_name.get(&marked(text))
        } else {
            self.by_folded_name.get(&fold(text))
        };
        first.extend(same_name.into_iter().flatten().copied());
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
