//! Reading a question: what is asked (the intent, from a lexicon of the ways people ask it,
//! with and without accents) and about what (the words left for the catalog search).

use motcua_domain::ids::DossierCode;
use motcua_domain::pakn::{NotFeedback, not_feedback};
use motcua_domain::text::fold;
use serde::Serialize;

/// What a question asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// The documents to file.
    Documents,
    /// The fee.
    Fee,
    /// How long it takes.
    Time,
    /// Where to file and who decides.
    Place,
    /// Whether and how it can be done online.
    Online,
    /// What the applicant receives.
    Result,
    /// A procedure named with nothing more asked: its main facts.
    Overview,
    /// When the offices are open.
    Hours,
    /// The days off.
    Holidays,
    /// Taking a queue ticket.
    Ticket,
    /// Booking an appointment.
    Appointment,
    /// Where one's own dossier is.
    Track,
    /// Feedback or a petition about a procedure, an agency or an officer.
    Feedback,
    /// A complaint or a denunciation, which have their own laws and channels.
    Complaint,
}

impl Intent {
    pub const ALL: [Intent; 14] = [
        Intent::Documents,
        Intent::Fee,
        Intent::Time,
        Intent::Place,
        Intent::Online,
        Intent::Result,
        Intent::Overview,
        Intent::Hours,
        Intent::Holidays,
        Intent::Ticket,
        Intent::Appointment,
        Intent::Track,
        Intent::Feedback,
        Intent::Complaint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Documents => "documents",
            Intent::Fee => "fee",
            Intent::Time => "time",
            Intent::Place => "place",
            Intent::Online => "online",
            Intent::Result => "result",
            Intent::Overview => "overview",
            Intent::Hours => "hours",
            Intent::Holidays => "holidays",
            Intent::Ticket => "ticket",
            Intent::Appointment => "appointment",
            Intent::Track => "track",
            Intent::Feedback => "feedback",
            Intent::Complaint => "complaint",
        }
    }

    pub fn parse(s: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// Whether the answer is about one procedure.
    pub fn needs_procedure(self) -> bool {
        matches!(
            self,
            Intent::Documents
                | Intent::Fee
                | Intent::Time
                | Intent::Place
                | Intent::Online
                | Intent::Result
                | Intent::Overview
        )
    }
}

/// The ways people ask, folded (no accents, lower case), longest first within an intent.
/// A phrase matches whole words of the folded question.
const LEXICON: &[(Intent, &[&str])] = &[
    (
        Intent::Track,
        &[
            "ho so cua toi",
            "ho so cua minh",
            "ho so den dau",
            "ho so toi den dau",
            "ho so da xong chua",
            "ho so xong chua",
            "tra cuu ho so",
            "tinh trang ho so",
            "tien do ho so",
            "theo doi ho so",
            "ma ho so",
            "da co ket qua chua",
            "my dossier",
            "my application",
            "track",
        ],
    ),
    (
        Intent::Feedback,
        &[
            "phan anh",
            "kien nghi",
            "gop y",
            "khong hai long",
            "feedback",
            "complain about",
        ],
    ),
    (
        Intent::Appointment,
        &[
            "dat lich hen",
            "dat lich",
            "hen lich",
            "dat hen",
            "hen gio",
            "book an appointment",
            "appointment",
            "book",
        ],
    ),
    (
        Intent::Ticket,
        &[
            "lay so thu tu",
            "lay so",
            "boc so",
            "so thu tu",
            "xep hang",
            "queue ticket",
            "queue number",
            "ticket",
        ],
    ),
    (
        Intent::Holidays,
        &[
            "nghi le",
            "ngay le",
            "nghi tet",
            "tet co lam viec",
            "lich nghi",
            "ngay nghi",
            "nghi lam viec",
            "holidays",
            "holiday",
            "days off",
        ],
    ),
    (
        Intent::Hours,
        &[
            "gio lam viec",
            "gio hanh chinh",
            "gio mo cua",
            "mo cua",
            "may gio",
            "lam viec thu bay",
            "lam viec chu nhat",
            "thu bay",
            "chu nhat",
            "buoi sang",
            "buoi chieu",
            "office hours",
            "opening hours",
            "open on",
            "what time",
            "open",
        ],
    ),
    (
        Intent::Fee,
        &[
            "het bao nhieu tien",
            "mat bao nhieu tien",
            "ton bao nhieu tien",
            "bao nhieu tien",
            "het bao nhieu",
            "ton bao nhieu",
            "mat bao nhieu",
            "co mat tien",
            "co mat phi",
            "mat tien",
            "mat phi",
            "le phi",
            "chi phi",
            "phi",
            "how much",
            "fees",
            "fee",
            "cost",
        ],
    ),
    (
        Intent::Time,
        &[
            "mat bao lau",
            "bao lau",
            "mat bao nhieu ngay",
            "mat may ngay",
            "may ngay",
            "bao nhieu ngay",
            "may hom",
            "thoi han giai quyet",
            "thoi han",
            "thoi gian giai quyet",
            "thoi gian",
            "khi nao co",
            "khi nao xong",
            "bao gio co",
            "bao gio xong",
            "how long",
            "time limit",
            "how many days",
            "processing time",
        ],
    ),
    (
        Intent::Documents,
        &[
            "can nhung giay to gi",
            "can giay to gi",
            "giay to gi",
            "giay to",
            "ho so gom",
            "ho so can",
            "thanh phan ho so",
            "can mang",
            "mang theo",
            "may ban",
            "chuan bi gi",
            "chuan bi",
            "can nhung gi",
            "can mang gi",
            "can gi",
            "what documents",
            "documents to file",
            "documents",
            "papers",
            "what do i need",
        ],
    ),
    (
        Intent::Online,
        &[
            "nop truc tuyen",
            "truc tuyen",
            "qua mang",
            "tren mang",
            "online",
            "dich vu cong truc tuyen",
            "nop qua mang",
        ],
    ),
    (
        Intent::Place,
        &[
            "nop o dau",
            "lam o dau",
            "o dau",
            "noi nao",
            "co quan nao",
            "cho nao",
            "nop tai",
            "where",
            "which office",
            "where to file",
        ],
    ),
    (
        Intent::Result,
        &[
            "nhan ket qua",
            "tra ket qua",
            "ket qua la gi",
            "duoc cap gi",
            "nhan duoc gi",
            "what do i get",
            "result",
        ],
    ),
];

/// Words of a spoken question that ask nothing and name no procedure: taken out before the
/// catalog is searched (the search drops its own list of filler too).
const FILLER: &[&str] = &[
    "cho minh hoi",
    "cho em hoi",
    "cho toi hoi",
    "cho chau hoi",
    "cho hoi",
    "xin hoi",
    "toi muon hoi",
    "em muon hoi",
    "la bao nhieu",
    "bao nhieu",
    "la gi",
    "duoc khong",
    "vay",
    "nhe",
    "roi",
    "thi",
    "please",
];

/// A question, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// What is asked, first the one the answer is about; empty when no way of asking was
    /// recognised.
    pub intents: Vec<Intent>,
    /// The question's words that are not a way of asking (as typed): what it is about.
    pub topic: String,
    /// A dossier code the question holds.
    pub dossier: Option<DossierCode>,
    /// A complaint or a denunciation rather than a question.
    pub not_feedback: Option<NotFeedback>,
}

impl Reading {
    /// The intent the answer is about.
    pub fn intent(&self) -> Option<Intent> {
        self.intents.first().copied()
    }
}

/// The words of a text as typed, each with its folded form.
fn words(text: &str) -> Vec<(String, String)> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '.' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| (w.to_string(), fold(w)))
        .collect()
}

/// Reads a question.
pub fn read(question: &str) -> Reading {
    let raw = question.split_whitespace().collect::<Vec<_>>();
    let dossier = raw
        .iter()
        .find_map(|w| DossierCode::parse(w.trim_matches(|c: char| !c.is_alphanumeric())).ok());
    let words = words(question);
    let folded: Vec<&str> = words.iter().map(|(_, f)| f.as_str()).collect();
    let mut used = vec![false; words.len()];
    // (position, intent) of every way of asking found, longest phrases taken first.
    let mut found: Vec<(usize, Intent)> = Vec::new();
    let mut phrases: Vec<(Option<Intent>, Vec<&str>)> = LEXICON
        .iter()
        .flat_map(|(intent, list)| list.iter().map(|p| (Some(*intent), p.split(' ').collect())))
        .chain(FILLER.iter().map(|p| (None, p.split(' ').collect())))
        .collect();
    phrases.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
    for (intent, phrase) in &phrases {
        let n = phrase.len();
        if n > folded.len() {
            continue;
        }
        for start in 0..=folded.len() - n {
            let span = start..start + n;
            if folded[span.clone()] == phrase[..] && !used[span.clone()].iter().any(|u| *u) {
                used[span].iter_mut().for_each(|u| *u = true);
                if let Some(intent) = intent {
                    found.push((start, *intent));
                }
            }
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    let mut intents: Vec<Intent> = Vec::new();
    for (_, intent) in found {
        if !intents.contains(&intent) {
            intents.push(intent);
        }
    }
    let not_feedback = not_feedback(question);
    // What sends the asker elsewhere comes first: a complaint, their own dossier, feedback.
    let redirect = if not_feedback.is_some() {
        Some(Intent::Complaint)
    } else if dossier.is_some() {
        Some(Intent::Track)
    } else {
        [Intent::Track, Intent::Feedback]
            .into_iter()
            .find(|i| intents.contains(i))
    };
    if let Some(first) = redirect {
        intents.retain(|i| *i != first);
        intents.insert(0, first);
    }
    let topic = words
        .iter()
        .zip(&used)
        .filter(|((w, _), used)| {
            !**used && dossier.is_none_or(|d| !w.eq_ignore_ascii_case(&d.to_string()))
        })
        .map(|((w, _), _)| w.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Reading {
        intents,
        topic,
        dossier,
        not_feedback,
    }
}

/// Words a question about the offices themselves says besides its way of asking (folded):
/// "giờ làm việc của bộ phận một cửa", "thứ bảy có nhận hồ sơ không".
const OFFICE_WORDS: &[&str] = &[
    "bo", "phan", "mot", "cua", "trung", "tam", "phuc", "vu", "hanh", "chinh", "cong", "co",
    "khong", "lam", "viec", "nhan", "nop", "ho", "so", "mo", "ngay", "nam", "nay", "sap", "toi",
    "la", "duoc", "truoc", "gi", "khi", "nao", "the", "may", "bao", "nhieu", "tiep", "dan", "ubnd",
    "uy", "ban", "xa", "phuong", "tinh", "o", "dau", "sao", "de", "cach", "minh", "em", "cho",
    "hoi", "a", "vay", "nhe", "roi", "chua", "muon", "can", "xin", "online", "truc", "tuyen",
    "qua", "mang", "what", "are", "is", "the", "of", "on", "at", "when", "do", "you", "i", "can",
    "a", "an", "my", "to", "how", "office", "offices", "centre", "center", "your", "next", "this",
    "year", "week", "today", "lich", "public", "le", "tet", "nghi",
];

/// Whether `topic` says nothing but words about the offices (or nothing at all).
pub fn about_the_office(topic: &str) -> bool {
    words(topic)
        .iter()
        .all(|(_, folded)| OFFICE_WORDS.contains(&folded.as_str()))
}
