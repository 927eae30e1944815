//! Full-text search over the procedure catalog. An in-memory tantivy index is rebuilt from the
//! catalog (milliseconds for thousands of procedures) whenever the catalog changes.
//!
//! Reading a query: colloquial names are replaced by the official words and the filler of a
//! spoken question dropped ([`Phrases`]). Matching: text is NFC-normalised, lower-cased and
//! folded (tone and vowel marks removed, đ → d, a final y after a consonant as i), so "dang ky
//! khai sinh" and "đăng kí khai sinh" find "Đăng ký khai sinh". A word typed with its marks is
//! matched with them — "kết hôn" does not find "hơn" — on a second copy of the text whose words
//! keep their letters and carry their tone apart from its position ("hoà" is "hòa"). A word
//! the catalog does not contain may be one typing slip away from one it does. Not every word
//! must match: a procedure matches when most of the query's words do (all of one or two) in
//! its name, field, agency or documents; when nothing matches the marks as typed, they are
//! ignored as a last try. What is shown is what is relevant: procedures whose name and field
//! hold most of the words, or which hold all of them somewhere.
//!
//! Ranking: a national code typed exactly comes first, then names equal to the query, then
//! names holding more of the query's words, the general procedure before its special cases
//! (fewer other words in its name: "đăng ký khai tử" before "… lưu động"), then relevance
//! (BM25 over the fields, the name weighing most). Facet counts (field, agency, level,
//! online level) follow the other selected filters; when nothing is relevant, fields close to
//! the query are suggested.

pub mod evaluation;
mod phrases;
mod words;

use std::collections::{HashMap, HashSet};

use motcua_domain::ids::{AgencyCode, ProcedureCode};
use motcua_procedures::{OnlineLevel, Procedure, ProcedureSummary};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{DocAddress, Index, IndexReader, Searcher, Term, doc};

pub use phrases::{PhraseProblem, Phrases, PhrasesError};
use words::{Word, joined, text_words, within_one_edit};

/// Longest query accepted, in characters: room for the full name of any procedure pasted as
/// it is published (the longest has 1,094 characters).
pub const MAX_QUERY_CHARS: usize = 2_000;
/// Words of a query that are used; more add nothing but work.
const MAX_WORDS: usize = 12;
/// The index's fields hold text already folded or marked by [`words`]; it only splits it.
const TOKENIZER: &str = "vi_words";
/// Catalogs from this size skip their most common agency and document words (below it the
/// cost is small and every word counts).
const COMMON_FROM: usize = 200;
/// Matches scored by BM25 for the tie-break (the rest rank after them at equal fit).
const SCORED: usize = 200;
/// Fields suggested when nothing relevant is found.
const SUGGESTED_FIELDS: usize = 6;

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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    /// The requested page, in rank order.
    pub items: Vec<ProcedureSummary>,
    pub total: usize,
    pub facets: Facets,
    /// When text was searched and nothing relevant found: fields to browse instead (those
    /// sharing a word with the query first, then the largest), with their procedure counts.
    pub suggested_fields: Vec<(String, u64)>,
}

/// The procedures that answer a text best ([`CatalogIndex::shortlist`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shortlist {
    /// The words of the text that were looked for (after aliases and filler).
    pub words: usize,
    pub matches: Vec<Candidate>,
}

/// One procedure of a shortlist.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub summary: ProcedureSummary,
    /// How many of the words its name or field holds exactly.
    pub held: usize,
    /// How well its name fits the words: those it holds, plus a little for each the name
    /// begins with in order, less a little for each other word it says.
    pub fit: f64,
    /// Whether two words next to each other in the text are next to each other in its name
    /// ("hộ chiếu", not "hộ … chiếu").
    pub adjacent: bool,
    /// How many words its name begins with, in the text's order ("Thủ tục" aside).
    pub leading: usize,
}

struct Fields {
    ord: Field,
    name: Field,
    field: Field,
    agency: Field,
    documents: Field,
    /// The same four with their marks kept.
    name_m: Field,
    field_m: Field,
    agency_m: Field,
    documents_m: Field,
}

/// Facet values of one procedure, as small numbers (index into `CatalogIndex::values`).
type Dims = [u32; 4];
const FIELD: usize = 0;
const AGENCY: usize = 1;
const LEVEL: usize = 2;
const ONLINE: usize = 3;

/// The words of one procedure's name and field, as ids of the index's vocabulary.
struct Said {
    /// The name's words without a leading "Thủ tục" (folded, marked), in order.
    name: Vec<(u32, u32)>,
    /// The words of the field and of the English name, which count as matches but not as
    /// words the name says besides the query's.
    also: Vec<(u32, u32)>,
}

/// The distinct words of the catalog's names and fields, each with an id.
#[derive(Default)]
struct Vocabulary {
    folded: HashMap<String, u32>,
    marked: HashMap<String, u32>,
    /// Folded words by id, for typo tolerance.
    folded_words: Vec<String>,
}

impl Vocabulary {
    fn add(&mut self, (folded, marked): (String, String)) -> (u32, u32) {
        let next = self.folded_words.len() as u32;
        let f = *self.folded.entry(folded.clone()).or_insert_with(|| {
            self.folded_words.push(folded);
            next
        });
        let next = self.marked.len() as u32;
        let m = *self.marked.entry(marked).or_insert(next);
        (f, m)
    }
}

/// Which vocabulary words count as one word of the query.
enum Accepts {
    /// Marked ids (the word was typed with marks that count).
    Marked(Vec<u32>),
    /// Folded ids (the word itself and, when typos are forgiven, its neighbours).
    Folded(Vec<u32>),
}

impl Accepts {
    fn takes(&self, (folded, marked): (u32, u32)) -> bool {
        match self {
            Accepts::Marked(ids) => ids.contains(&marked),
            Accepts::Folded(ids) => ids.contains(&folded),
        }
    }
}

/// The searchable catalog.
pub struct CatalogIndex {
    reader: IndexReader,
    fields: Fields,
    phrases: Phrases,
    items: Vec<ProcedureSummary>,
    dims: Vec<Dims>,
    said: Vec<Said>,
    vocabulary: Vocabulary,
    /// Words (folded or marked) that a quarter or more of the procedures' agency or document
    /// texts say ("các", "giấy", "tờ"): they tell nothing there, and matching them there costs
    /// the most, so they are matched in names and fields only.
    common: HashSet<String>,
    /// Facet values by dimension; `Dims` index into these.
    values: [Vec<String>; 4],
    /// Procedures by the folded and the marked text of their names (without "Thủ tục").
    by_folded_name: HashMap<String, Vec<usize>>,
    by_marked_name: HashMap<String, Vec<usize>>,
    by_code: HashMap<ProcedureCode, usize>,
    /// All ordinals sorted by code (the order without search text).
    by_code_order: Vec<usize>,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WhitespaceTokenizer::default())
        .filter(RemoveLongFilter::limit(200))
        .build()
}

/// A name without the "Thủ tục" (procedure) many names begin with, which says nothing.
fn plain_name(name: &str) -> &str {
    let trimmed = name.trim_start();
    let mut words = trimmed.splitn(3, char::is_whitespace);
    match (words.next(), words.next(), words.next()) {
        (Some(a), Some(b), Some(rest))
            if motcua_domain::text::fold(&format!("{a} {b}")) == "thu tuc" =>
        {
            rest.trim_start()
        }
        _ => trimmed,
    }
}

/// How many of `n` query words a procedure must hold: all of one or two, most of more.
fn required(n: usize) -> usize {
    if n <= 2 { n } else { (n * 3).div_ceil(5) }
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
    /// Indexes the catalog; `agency_names` lets people search by the implementing agency,
    /// `phrases` says what people's words mean.
    pub fn build(
        procedures: &[Procedure],
        agency_names: &HashMap<AgencyCode, String>,
        phrases: &Phrases,
    ) -> Result<Self, SearchError> {
        let mut sb = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            ord: sb.add_u64_field("ord", INDEXED | FAST),
            name: sb.add_text_field("name", text.clone()),
            field: sb.add_text_field("field", text.clone()),
            agency: sb.add_text_field("agency", text.clone()),
            documents: sb.add_text_field("documents", text.clone()),
            name_m: sb.add_text_field("name_m", text.clone()),
            field_m: sb.add_text_field("field_m", text.clone()),
            agency_m: sb.add_text_field("agency_m", text.clone()),
            documents_m: sb.add_text_field("documents_m", text),
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register(TOKENIZER, analyzer());
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let mut values: [Vec<String>; 4] = Default::default();
        let mut interned: [HashMap<String, u32>; 4] = Default::default();
        let mut items = Vec::with_capacity(procedures.len());
        let mut dims = Vec::with_capacity(procedures.len());
        let mut said = Vec::with_capacity(procedures.len());
        let mut vocabulary = Vocabulary::default();
        let mut by_folded_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_marked_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_code = HashMap::with_capacity(procedures.len());
        let mut said_by: HashMap<String, usize> = HashMap::new();
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
            // Each text is split and folded once; both copies are joined from its words.
            let plain = plain_name(&p.name);
            let plain_words = text_words(plain);
            let en_words = text_words(p.name_en.as_deref().unwrap_or_default());
            let field_words = text_words(&p.field);
            let agency_words = text_words(&format!("{agency_name} {}", p.implementing_body));
            let document_words = text_words(&documents);
            // The name as published, its leading "Thủ tục" too (`plain` is a suffix of it).
            let lead = &p.name[..p.name.len() - plain.len()];
            let name_words = [text_words(lead), plain_words.clone(), en_words.clone()].concat();
            let distinct: HashSet<&(String, String)> =
                agency_words.iter().chain(&document_words).collect();
            for (folded, marked) in distinct {
                *said_by.entry(folded.clone()).or_default() += 1;
                *said_by.entry(marked.clone()).or_default() += 1;
            }
            let (name_f, name_m) = joined(&name_words);
            let (field_f, field_m) = joined(&field_words);
            let (agency_f, agency_m) = joined(&agency_words);
            let (documents_f, documents_m) = joined(&document_words);
            writer.add_document(doc!(
                fields.ord => ord as u64,
                fields.name => name_f,
                fields.field => field_f,
                fields.agency => agency_f,
                fields.documents => documents_f,
                fields.name_m => name_m,
                fields.field_m => field_m,
                fields.agency_m => agency_m,
                fields.documents_m => documents_m,
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
            let (plain_f, plain_m) = joined(&plain_words);
            by_folded_name.entry(plain_f).or_default().push(ord);
            by_marked_name.entry(plain_m).or_default().push(ord);
            said.push(Said {
                name: plain_words.into_iter().map(|w| vocabulary.add(w)).collect(),
                also: field_words
                    .into_iter()
                    .chain(en_words)
                    .map(|w| vocabulary.add(w))
                    .collect(),
            });
            by_code.insert(p.code, ord);
        }
        writer.commit()?;
        let reader = index.reader()?;
        let common = said_by
            .into_iter()
            .filter(|(_, n)| procedures.len() >= COMMON_FROM && *n * 4 >= procedures.len())
            .map(|(w, _)| w)
            .collect();
        let mut by_code_order: Vec<usize> = (0..items.len()).collect();
        by_code_order.sort_by_key(|&i| items[i].code);
        Ok(CatalogIndex {
            reader,
            fields,
            phrases: phrases.clone(),
            items,
            dims,
            said,
            vocabulary,
            common,
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

    /// Whether a folded word is a word of some name or field.
    fn known(&self, word: &Word) -> bool {
        self.vocabulary.folded.contains_key(&word.folded)
    }

    /// The tantivy query for the words: each word matches in any field (with its marks when
    /// they count, one typo away when forgiven); `least` of them must.
    fn text_query(&self, words: &[Word], typos: Typos, marks: Marks, least: usize) -> BooleanQuery {
        let f = &self.fields;
        // (field, boost, typo-tolerant): typos are forgiven in names and fields only; short
        // syllables in long document lists would otherwise match almost anything.
        // Words most agency and document texts say are matched in names and fields only.
        let weighted = [
            (f.name, f.name_m, 3.0, true),
            (f.field, f.field_m, 1.0, true),
            (f.agency, f.agency_m, 1.0, false),
            (f.documents, f.documents_m, 0.5, false),
        ];
        let term_query = |field: Field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
            let term = Term::from_field_text(field, text);
            let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), boost)),
            )
        };
        let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
        for word in words {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if let (Some(m), Marks::Respected) = (&word.marked, marks) {
                for (_, field, boost, tolerant) in weighted {
                    if tolerant || !self.common.contains(m) {
                        alternatives.push(term_query(field, m, boost * 2.0));
                    }
                }
            } else {
                let fuzzy = (typos == Typos::AllWords || !self.known(word))
                    && word.folded.chars().count() >= 2;
                for (field, _, boost, tolerant) in weighted {
                    if !tolerant && self.common.contains(&word.folded) {
                        continue;
                    }
                    alternatives.push(term_query(field, &word.folded, boost * 2.0));
                    if tolerant && fuzzy {
                        let term = Term::from_field_text(field, &word.folded);
                        alternatives.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(FuzzyTermQuery::new(term, 1, true)),
                                boost * 0.5,
                            )),
                        ));
                    }
                }
            }
            per_word.push((Occur::Should, Box::new(BooleanQuery::new(alternatives))));
        }
        BooleanQuery::with_minimum_required_clauses(per_word, least)
    }

    /// What each query word accepts among the names' and fields' words.
    fn accepts(&self, words: &[Word], typos: Typos, marks: Marks) -> Vec<Accepts> {
        let v = &self.vocabulary;
        words
            .iter()
            .map(|word| match (&word.marked, marks) {
                (Some(m), Marks::Respected) => {
                    Accepts::Marked(v.marked.get(m).copied().into_iter().collect())
                }
                _ => {
                    let mut ids: Vec<u32> =
                        v.folded.get(&word.folded).copied().into_iter().collect();
                    let forgiving = typos == Typos::AllWords || ids.is_empty();
                    if forgiving && word.folded.chars().count() >= 2 {
                        ids.extend(
                            v.folded_words
                                .iter()
                                .enumerate()
                                .filter(|(_, w)| within_one_edit(w, &word.folded))
                                .map(|(i, _)| i as u32),
                        );
                    }
                    Accepts::Folded(ids)
                }
            })
            .collect()
    }

    /// How well a procedure's name answers the query: how many query words its name or field
    /// holds, and a measure of fit — those words, plus 0.3 of a word for each word the name
    /// begins with in the query's order, less half the logarithm of the words the name says
    /// besides (the general procedure before its special cases; a long official name is not
    /// buried). A name holding none of the words fits after all that hold some.
    fn fit(&self, i: usize, accepts: &[Accepts]) -> (usize, f64) {
        let said = &self.said[i];
        let held = accepts
            .iter()
            .filter(|a| said.name.iter().chain(&said.also).any(|w| a.takes(*w)))
            .count();
        if held == 0 {
            return (0, f64::MIN);
        }
        let leading = said
            .name
            .iter()
            .zip(accepts)
            .take_while(|(w, a)| a.takes(**w))
            .count();
        let other = said
            .name
            .iter()
            .filter(|w| !accepts.iter().any(|a| a.takes(**w)))
            .count();
        let fit = held as f64 + 0.3 * leading as f64 - 0.5 * (1.0 + other as f64).ln();
        (held, fit)
    }

    /// Whether two words next to each other in the query are next to each other in the
    /// procedure's name.
    fn adjacent(&self, i: usize, accepts: &[Accepts]) -> bool {
        let name = &self.said[i].name;
        accepts.windows(2).any(|pair| {
            name.windows(2)
                .any(|w| pair[0].takes(w[0]) && pair[1].takes(w[1]))
        })
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

    /// The relevant procedures for the words, best first. Tries the marks as typed with typos forgiven in unknown words, then in all,
    /// then without the marks.
    /// The relevant procedures, best first, each with the number of query words its name or
    /// field holds and its fit.
    fn relevant(
        &self,
        searcher: &Searcher,
        words: &[Word],
    ) -> Result<Vec<(usize, usize, f64)>, SearchError> {
        let tries = [
            (Typos::UnknownWords, Marks::Respected),
            (Typos::AllWords, Marks::Respected),
            (Typos::UnknownWords, Marks::Ignored),
            (Typos::AllWords, Marks::Ignored),
        ];
        let least = required(words.len());
        for (typos, marks) in tries {
            if marks == Marks::Ignored && words.iter().all(|w| w.marked.is_none()) {
                break;
            }
            let query = self.text_query(words, typos, marks, least);
            // Every match; BM25 scores for the best of them (a tie-break after the name's fit).
            let (top, docs) = searcher.search(
                &query,
                &(
                    TopDocs::with_limit(SCORED).order_by_score(),
                    DocSetCollector,
                ),
            )?;
            if docs.is_empty() {
                continue;
            }
            let scores: Vec<f32> = top.iter().map(|(s, _)| *s).collect();
            let scores: HashMap<usize, f32> = self
                .ords(searcher, top.into_iter().map(|(_, d)| d))?
                .into_iter()
                .zip(scores)
                .collect();
            let accepts = self.accepts(words, typos, marks);
            let fits: Vec<(usize, usize, f64)> = self
                .ords(searcher, docs)?
                .into_iter()
                .map(|i| {
                    let (held, fit) = self.fit(i, &accepts);
                    (i, held, fit)
                })
                .collect();
            // A procedure whose name holds too few of the words is relevant only when it holds
            // all of them somewhere (a document's name, say).
            let everywhere: HashSet<usize> = if fits.iter().any(|f| f.1 < least) {
                let all_words = self.text_query(words, typos, marks, words.len());
                self.ords(searcher, searcher.search(&all_words, &DocSetCollector)?)?
                    .into_iter()
                    .collect()
            } else {
                HashSet::new()
            };
            let mut found: Vec<(usize, usize, f64, f32)> = fits
                .into_iter()
                .filter(|(i, held, _)| *held >= least || everywhere.contains(i))
                .map(|(i, held, fit)| (i, held, fit, scores.get(&i).copied().unwrap_or(0.0)))
                .collect();
            if found.is_empty() {
                continue;
            }
            found.sort_by(|a, b| {
                b.2.total_cmp(&a.2)
                    .then_with(|| b.3.total_cmp(&a.3))
                    .then_with(|| self.items[a.0].code.cmp(&self.items[b.0].code))
            });
            return Ok(found
                .into_iter()
                .map(|(i, held, fit, _)| (i, held, fit))
                .collect());
        }
        Ok(Vec::new())
    }

    /// Fields to browse when nothing relevant was found: those sharing a word with the query,
    /// then the largest.
    fn suggest_fields(&self, words: &[Word]) -> Vec<(String, u64)> {
        let mut counts = vec![0u64; self.values[FIELD].len()];
        for d in &self.dims {
            counts[d[FIELD] as usize] += 1;
        }
        let mut fields: Vec<(usize, String, u64)> = self.values[FIELD]
            .iter()
            .zip(counts)
            .map(|(field, n)| {
                let field_words = text_words(field);
                let shared = words
                    .iter()
                    .filter(|w| field_words.iter().any(|(f, m)| w.is(f, m)))
                    .count();
                (shared, field.clone(), n)
            })
            .collect();
        fields.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)).then(a.1.cmp(&b.1)));
        fields
            .into_iter()
            .take(SUGGESTED_FIELDS)
            .map(|(_, field, n)| (field, n))
            .collect()
    }

    /// The procedures whose name or field holds most of the words of `text` exactly (after
    /// the phrases are read; accents aside, no typo forgiven), best first, at most `n`, each
    /// with how well it fits: for a program that must tell a clear answer from a guess.
    /// Procedures relevant only because a document's name holds the words are left out.
    pub fn shortlist(&self, text: &str, n: usize) -> Result<Shortlist, SearchError> {
        let text = text.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong);
        }
        let mut words = self.phrases.apply(&words::words(text));
        words.truncate(MAX_WORDS);
        if words.is_empty() {
            return Ok(Shortlist::default());
        }
        let least = required(words.len());
        let searcher = self.reader.searcher();
        // Held exactly: a word one typo away from a name's word is not that word here (short
        // syllables are one typo away from almost anything).
        let exact: Vec<Accepts> = words
            .iter()
            .map(|w| {
                Accepts::Folded(
                    self.vocabulary
                        .folded
                        .get(&w.folded)
                        .copied()
                        .into_iter()
                        .collect(),
                )
            })
            .collect();
        let matches = self
            .relevant(&searcher, &words)?
            .into_iter()
            .map(|(i, _, fit)| (i, self.fit(i, &exact).0, fit))
            .filter(|(_, held, _)| *held >= least)
            .take(n)
            .map(|(i, held, fit)| Candidate {
                summary: self.items[i].clone(),
                held,
                fit,
                adjacent: self.adjacent(i, &exact),
                leading: self.said[i]
                    .name
                    .iter()
                    .zip(&exact)
                    .take_while(|(w, a)| a.takes(**w))
                    .count(),
            })
            .collect();
        Ok(Shortlist {
            words: words.len(),
            matches,
        })
    }

    /// Searches, filters, counts facets and returns one page.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResult, SearchError> {
        let text = q.text.as_deref().map(str::trim).unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong);
        }
        let searcher = self.reader.searcher();
        let typed = words::words(text);
        let mut query_words = self.phrases.apply(&typed);
        query_words.truncate(MAX_WORDS);
        let wanted = self.wanted(q);
        let passes = |i: usize, skip: usize| {
            (0..4).all(|k| k == skip || wanted[k].is_none_or(|w| w == Some(self.dims[i][k])))
        };
        // Everything relevant, unfiltered (facets need it), best first.
        let mut ranked: Vec<usize> = if query_words.is_empty() {
            self.by_code_order.clone()
        } else {
            self.relevant(&searcher, &query_words)?
                .into_iter()
                .map(|(i, ..)| i)
                .collect()
        };
        // A national code typed exactly comes first; then names equal to the query.
        let by_code = ProcedureCode::parse(text).ok().and_then(|code| {
            self.by_code
                .get(&code)
                .or_else(|| self.by_code.get(&code.national()))
                .copied()
        });
        let (plain_f, plain_m) = joined(&text_words(plain_name(text)));
        let same_name = if typed.iter().any(|w| w.marked.is_some()) {
            self.by_marked_name.get(&plain_m)
        } else {
            self.by_folded_name.get(&plain_f)
        };
        let first: Vec<usize> = by_code
            .into_iter()
            .chain(same_name.into_iter().flatten().copied())
            .collect();
        if !first.is_empty() {
            let mut seen = HashSet::new();
            ranked = first
                .into_iter()
                .chain(ranked)
                .filter(|i| seen.insert(*i))
                .collect();
        }
        let impossible = wanted.iter().any(|w| matches!(w, Some(None)));
        let mut counts: [Vec<u64>; 4] = std::array::from_fn(|k| vec![0; self.values[k].len()]);
        let mut shown = Vec::new();
        for &i in &ranked {
            for (k, count) in counts.iter_mut().enumerate() {
                if passes(i, k) {
                    count[self.dims[i][k] as usize] += 1;
                }
            }
            if !impossible && passes(i, usize::MAX) {
                shown.push(i);
            }
        }
        let total = shown.len();
        let items = shown
            .into_iter()
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
        let suggested_fields = if ranked.is_empty() && !query_words.is_empty() {
            self.suggest_fields(&typed)
        } else {
            Vec::new()
        };
        Ok(SearchResult {
            items,
            total,
            facets,
            suggested_fields,
        })
    }
}

#[cfg(test)]
mod tests;
