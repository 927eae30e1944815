//! Reference data of the demo province: agencies, branches, catalog, users, an API key, and
//! a year of history.

use std::collections::HashSet;

use anyhow::Context;
use chrono::Utc;
use motcua_domain::ids::AgencyCode;
use motcua_domain::role::Role;
use motcua_store::{Agency, AgencyKind, ApiKey, Branch, Counter, Scope, ServiceGroup, Store, User};
use rand::Rng;
use serde::Deserialize;

use super::{
    Credentials, FACTS, FORMS, LIMITS, LOCAL_PROCEDURES, Login, PROCEDURES, ROUTING, WARDS, history,
};
use crate::settings::{self, Policy};
use motcua_catalog::ImportError;
use motcua_catalog::portal::{self, CatalogAgencies, FieldRoutes, ReviewedForms, ReviewedLimits};

/// Level-1 code of the demo province: a placeholder (see fixtures/SOURCES.md).
const PROVINCE: &str = "000.00.00.H22";
const CENTRE: &str = "000.00.01.H22";
const MILITARY_COMMAND: &str = "000.00.20.H22";
const MINISTRY: &str = "000.00.00.G01";
const FIRST_DEPARTMENT: u8 = 2;
const FIRST_COMMUNE: u8 = 31;
/// The central-sector agencies with offices in the province that receive procedures of their
/// own sectors (level-2 codes 21–28, see fixtures/SOURCES.md).
const CENTRAL_SECTOR: [(u8, &str, &str); 8] = [
    (
        21,
        "Công an tỉnh Quảng Ninh",
        "Quảng Ninh Provincial Police",
    ),
    (22, "Thuế tỉnh Quảng Ninh", "Quảng Ninh Tax Department"),
    (23, "Chi cục Hải quan khu vực", "Regional Customs Branch"),
    (24, "Kho bạc Nhà nước khu vực", "Regional State Treasury"),
    (
        25,
        "Bảo hiểm xã hội tỉnh Quảng Ninh",
        "Quảng Ninh Social Insurance",
    ),
    (
        26,
        "Ngân hàng Nhà nước Chi nhánh khu vực",
        "State Bank of Vietnam, regional branch",
    ),
    (
        27,
        "Thi hành án dân sự tỉnh Quảng Ninh",
        "Quảng Ninh Civil Judgment Enforcement",
    ),
    (
        28,
        "Tòa án nhân dân tỉnh Quảng Ninh",
        "Quảng Ninh Provincial People's Court",
    ),
];

pub(crate) fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap_or_else(|e| panic!("built-in agency code {s}: {e}"))
}

fn level2(n: u8) -> AgencyCode {
    AgencyCode::from_parts('H', 22, n, 0, 0).unwrap_or_else(|| panic!("level-2 code {n}"))
}

#[derive(Deserialize)]
struct Fact {
    topic: String,
    #[serde(default)]
    values: serde_json::Value,
}

#[derive(Deserialize)]
struct Department {
    name_vi: String,
    name_en: String,
}

/// One commune-level unit from the NSO list.
pub(crate) struct Commune {
    pub agency: AgencyCode,
    pub nso_code: String,
    pub name: String,
}

pub(crate) fn communes() -> anyhow::Result<Vec<Commune>> {
    let mut lines = WARDS.lines();
    let header: Vec<&str> = lines
        .next()
        .context("ward list is empty")?
        .split(',')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("ward list lacks {name}"))
    };
    let (code_i, full_i) = (col("code")?, col("full_name")?);
    lines
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split(',').collect();
            let n = u8::try_from(i)
                .ok()
                .and_then(|i| FIRST_COMMUNE.checked_add(i))
                .filter(|n| *n < 100)
                .context("too many communes")?;
            Ok(Commune {
                agency: level2(n),
                nso_code: f.get(code_i).context("ward code")?.to_string(),
                name: f.get(full_i).context("ward name")?.to_string(),
            })
        })
        .collect()
}

fn departments() -> anyhow::Result<Vec<Department>> {
    let facts: Vec<Fact> = serde_json::from_str(FACTS).context("Quảng Ninh facts")?;
    let list = facts
        .into_iter()
        .find(|f| f.topic == "departments")
        .context("no department list in the facts")?;
    serde_json::from_value(list.values).context("department list")
}

fn password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[*b as usize % ALPHABET.len()]))
        .collect()
}

/// A short login tag from an agency's name: "Ủy ban nhân dân Phường Hồng Gai" → "honggai",
/// "Sở Tư pháp tỉnh Quảng Ninh" → "tuphap", "Thuế tỉnh Quảng Ninh" → "thue".
fn short_name(name: &str) -> String {
    let folded = motcua_domain::text::fold(name);
    let mut t = folded.as_str();
    for prefix in ["uy ban nhan dan ", "so ", "phuong ", "xa ", "dac khu "] {
        t = t.strip_prefix(prefix).unwrap_or(t);
    }
    let t = t.strip_suffix(" tinh quang ninh").unwrap_or(t);
    t.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The `n`th of a list of Vietnamese full names, made from common family, middle and given
/// names (for generated demo officers).
fn vietnamese_name(n: usize) -> String {
    const FAMILY: [&str; 16] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
        "Hồ", "Ngô", "Dương", "Lý",
    ];
    const MIDDLE: [&str; 10] = [
        "Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu", "Xuân",
    ];
    const GIVEN: [&str; 30] = [
        "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Huyền",
        "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm",
        "Thảo", "Trang", "Trung", "Tuấn", "Việt", "Yến",
    ];
    format!(
        "{} {} {}",
        FAMILY[n % FAMILY.len()],
        MIDDLE[(n / FAMILY.len() + n) % MIDDLE.len()],
        GIVEN[(n * 7) % GIVEN.len()]
    )
}

/// Creates the officers with fresh passwords (hashed a few at a time, one per core); answers
/// their logins.
async fn put_users(
    store: &dyn Store,
    staff: Vec<(String, String, Role, AgencyCode)>,
) -> anyhow::Result<Vec<Login>> {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let mut logins = Vec::with_capacity(staff.len());
    for chunk in staff.chunks(cores) {
        let hashing: Vec<_> = chunk
            .iter()
            .map(|_| {
                let pw = password();
                let job = tokio::task::spawn_blocking({
                    let pw = pw.clone();
                    move || motcua_app::secrets::hash_password(&pw)
                });
                (pw, job)
            })
            .collect();
        for ((username, full_name, role, agency), (pw, job)) in chunk.iter().zip(hashing) {
            let hash = job
                .await?
                .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
            store
                .put_user(&User {
                    username: username.clone(),
                    full_name: full_name.clone(),
                    role: *role,
                    agency: Some(*agency),
                    password_hash: hash,
                    active: true,
                })
                .await?;
            logins.push(Login {
                username: username.clone(),
                password: pw,
                role: role.to_string(),
                agency_code: Some(agency.to_string()),
                full_name: full_name.clone(),
            });
        }
    }
    Ok(logins)
}

/// A rejected built-in file, with each of its problems.
fn rejected(e: ImportError) -> anyhow::Error {
    let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
    anyhow::anyhow!("built-in catalog rejected: {}", problems.join("; "))
}

pub(crate) async fn seed(
    store: &dyn Store,
    policy: &Policy,
    history: super::HistoryArgs,
) -> anyhow::Result<Credentials> {
    let province = code(PROVINCE);
    let centre = code(CENTRE);
    let military = code(MILITARY_COMMAND);
    let ministry = code(MINISTRY);
    let agency =
        |code, parent, name: &str, name_en: Option<&str>, kind, unit: Option<String>| Agency {
            code,
            parent,
            name: name.to_string(),
            name_en: name_en.map(str::to_string),
            kind,
            admin_unit_code: unit,
        };
    let mut agencies = vec![
        agency(
            province,
            None,
            "Ủy ban nhân dân tỉnh Quảng Ninh",
            Some("Quảng Ninh Provincial People's Committee"),
            AgencyKind::Province,
            Some("22".into()),
        ),
        agency(
            centre,
            Some(province),
            "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
            Some("Quảng Ninh Public Administrative Service Centre"),
            AgencyKind::Centre,
            None,
        ),
        agency(
            military,
            Some(province),
            "Bộ Chỉ huy Quân sự tỉnh Quảng Ninh",
            Some("Quảng Ninh Provincial Military Command"),
            AgencyKind::Vertical,
            None,
        ),
        agency(
            ministry,
            None,
            "Bộ Quốc phòng",
            Some("Ministry of National Defence"),
            AgencyKind::Central,
            None,
        ),
    ];
    let mut inspectorate = None;
    let mut office = None;
    for (i, d) in departments()?.iter().enumerate() {
        let c = level2(FIRST_DEPARTMENT + i as u8);
        if d.name_vi == "Thanh tra tỉnh" {
            inspectorate = Some(c);
        }
        if d.name_vi == "Văn phòng UBND tỉnh" {
            office = Some(c);
        }
        agencies.push(agency(
            c,
            Some(province),
            &format!("{} tỉnh Quảng Ninh", d.name_vi).replace("tỉnh tỉnh", "tỉnh"),
            Some(&d.name_en),
            AgencyKind::Department,
            None,
        ));
    }
    for (n, name, name_en) in CENTRAL_SECTOR {
        agencies.push(agency(
            level2(n),
            Some(province),
            name,
            Some(name_en),
            AgencyKind::Vertical,
            None,
        ));
    }
    let communes = communes()?;
    for c in &communes {
        agencies.push(agency(
            c.agency,
            Some(province),
            &format!("Ủy ban nhân dân {}", c.name),
            None,
            AgencyKind::Commune,
            Some(c.nso_code.clone()),
        ));
    }
    for a in &agencies {
        store.put_agency(a).await?;
    }
    let commune_named = |name: &str| {
        communes
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.agency)
            .with_context(|| format!("no {name}"))
    };
    let (hong_gai, van_don) = (
        commune_named("Phường Hồng Gai")?,
        commune_named("Đặc khu Vân Đồn")?,
    );
    let inspectorate = inspectorate.context("no Thanh tra tỉnh among the departments")?;

    let hours = "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–16:30";
    let counters = |n: i64| {
        (1..=n)
            .map(|i| Counter {
                number: i,
                label: format!("Quầy {i}"),
            })
            .collect()
    };
    for b in [
        Branch {
            code: "QN-HQ".into(),
            agency: centre,
            name: "Trụ sở Trung tâm Phục vụ hành chính công tỉnh".into(),
            address: "Hạ Long, tỉnh Quảng Ninh".into(),
            hours: hours.into(),
            counters: counters(6),
        },
        Branch {
            code: "QN-HONGGAI".into(),
            agency: centre,
            name: "Trung tâm Phục vụ hành chính công phường Hồng Gai".into(),
            address: "Phường Hồng Gai, tỉnh Quảng Ninh".into(),
            hours: hours.into(),
            counters: counters(4),
        },
        Branch {
            code: "QN-VANDON".into(),
            agency: centre,
            name: "Trung tâm Phục vụ hành chính công đặc khu Vân Đồn".into(),
            address: "Đặc khu Vân Đồn, tỉnh Quảng Ninh".into(),
            hours: hours.into(),
            counters: counters(3),
        },
    ] {
        // Service groups by field; the last counter serves every group.
        let last = b.counters.len() as i64;
        let groups = [
            ("HT", "Tư pháp – Hộ tịch", "A", vec![1, last]),
            ("DD", "Đất đai – Xây dựng", "B", vec![2, last]),
            (
                "KH",
                "Các lĩnh vực khác, trả kết quả",
                "C",
                (3..=last).collect(),
            ),
        ];
        store.put_branch(&b).await?;
        for (code, name, prefix, served) in groups {
            store
                .put_service_group(&ServiceGroup {
                    branch: b.code.clone(),
                    code: code.into(),
                    name: name.into(),
                    prefix: prefix.into(),
                    counters: served,
                })
                .await?;
        }
    }

    let mut procedures = portal::procedures(
        PROCEDURES,
        &CatalogAgencies {
            province,
            military_command: military,
            inspectorate,
            ministry,
        },
    )?;
    let office = office.context("no Văn phòng UBND tỉnh among the departments")?;
    let routes = FieldRoutes::parse(ROUTING, province, office).map_err(rejected)?;
    let mut local = portal::procedures(LOCAL_PROCEDURES, &routes)?;
    ReviewedLimits::parse(LIMITS)
        .map_err(rejected)?
        .apply(&mut local);
    ReviewedForms::parse(FORMS)
        .map_err(rejected)?
        .apply(&mut local);
    procedures.extend(local);
    // Every check `import-catalog` makes, then one transaction, as it writes.
    let known = agencies.iter().map(|a| a.code).collect();
    motcua_catalog::check(&procedures, &known).map_err(rejected)?;
    store.put_procedures(&procedures).await?;

    let people: [(&str, &str, Role, AgencyCode); 14] = [
        ("quantri", "Phạm Quốc Huy", Role::Administrator, province),
        ("lanhdao", "Đỗ Thị Thanh Hương", Role::Leader, province),
        ("giamsat", "Bùi Văn Toàn", Role::Supervisor, province),
        ("tiepnhan.hq", "Nguyễn Thị Lan", Role::Reception, centre),
        ("tiepnhan.honggai", "Trần Minh Đức", Role::Reception, centre),
        ("tiepnhan.vandon", "Lê Thu Trang", Role::Reception, centre),
        (
            "chuyenvien.bchqs",
            "Hoàng Văn Nam",
            Role::Specialist,
            military,
        ),
        ("lanhdao.bchqs", "Vũ Đức Thắng", Role::Approver, military),
        (
            "chuyenvien.honggai",
            "Đặng Thị Mai",
            Role::Specialist,
            hong_gai,
        ),
        (
            "lanhdao.honggai",
            "Ngô Quang Vinh",
            Role::Approver,
            hong_gai,
        ),
        (
            "chuyenvien.vandon",
            "Dương Thị Hà",
            Role::Specialist,
            van_don,
        ),
        ("lanhdao.vandon", "Lý Văn Sơn", Role::Approver, van_don),
        (
            "chuyenvien.thanhtra",
            "Hồ Ngọc Anh",
            Role::Specialist,
            inspectorate,
        ),
        (
            "lanhdao.thanhtra",
            "Phan Văn Long",
            Role::Approver,
            inspectorate,
        ),
    ];
    let mut staff: Vec<(String, String, Role, AgencyCode)> = people
        .iter()
        .map(|(u, n, r, a)| (u.to_string(), n.to_string(), *r, *a))
        .collect();
    // Every other agency that receives work gets a specialist and an approver: the
    // departments, central-sector agencies and the ministry that own procedures (a ministry's
    // own procedures received at the centre are forwarded to it and decided there), and
    // every commune.
    let staffed: HashSet<AgencyCode> = staff.iter().map(|s| s.3).collect();
    let owning: HashSet<AgencyCode> = procedures.iter().map(|p| p.agency).collect();
    let mut receiving: Vec<&Agency> = agencies
        .iter()
        .filter(|a| !staffed.contains(&a.code))
        .filter(|a| match a.kind {
            AgencyKind::Commune => true,
            AgencyKind::Department | AgencyKind::Vertical | AgencyKind::Central => {
                owning.contains(&a.code)
            }
            _ => false,
        })
        .collect();
    receiving.sort_by_key(|a| a.code);
    let mut taken: HashSet<String> = staff.iter().map(|s| s.0.clone()).collect();
    for (i, a) in receiving.iter().enumerate() {
        let mut tag = short_name(&a.name);
        if taken.contains(&format!("chuyenvien.{tag}")) {
            tag = format!("{tag}{}", a.code.to_string().replace('.', ""));
        }
        for (n, (prefix, role)) in [
            ("chuyenvien", Role::Specialist),
            ("lanhdao", Role::Approver),
        ]
        .into_iter()
        .enumerate()
        {
            let username = format!("{prefix}.{tag}");
            taken.insert(username.clone());
            staff.push((username, vietnamese_name(2 * i + n), role, a.code));
        }
    }
    let logins = put_users(store, staff).await?;
    let api_key = motcua_app::secrets::new_secret("mck_");
    store
        .put_api_key(&ApiKey {
            name: "he-thong-quan-su-tinh".into(),
            agency: military,
            scopes: vec![Scope::DossiersRead, Scope::DossiersWrite, Scope::StatsRead],
            key_hash: motcua_app::secrets::sha256_hex(&api_key),
            revoked: false,
        })
        .await?;
    // The centre's kiosks, at every branch: one device key, registered on each kiosk.
    let kiosk_key = motcua_app::secrets::new_secret("mck_");
    store
        .put_api_key(&ApiKey {
            name: "may-lay-so-trung-tam".into(),
            agency: centre,
            scopes: vec![Scope::Kiosk],
            key_hash: motcua_app::secrets::sha256_hex(&kiosk_key),
            revoked: false,
        })
        .await?;
    store.put_setting("receiving_agency", CENTRE).await?;

    let calendar = policy.calendar(settings::calendar_days(store).await?)?;
    let cast = history::Cast::new(&logins, centre, &communes, hong_gai, van_don);
    let made = history::generate(
        store,
        &calendar,
        policy,
        &procedures,
        &cast,
        history,
        Utc::now(),
    )
    .await?;
    let served = floor_morning(store, Utc::now()).await?;
    eprintln!(
        "seeded {} agencies, {} procedures, {} users, {made} historical dossiers, \
         {served} tickets served and rated at the counters today",
        agencies.len(),
        procedures.len(),
        logins.len()
    );
    store
        .put_setting("demo_seeded_at", &Utc::now().to_rfc3339())
        .await?;
    Ok(Credentials {
        api_key,
        kiosk_key,
        users: logins,
    })
}

/// The last hour and a half at each branch's counters: tickets taken every few minutes, called
/// by the reception officer, served in five to fifteen minutes and mostly rated, so the
/// board, the waiting lines, the live satisfaction summary and the floor's figures have
/// today's data. Returns how many tickets were served.
async fn floor_morning(store: &dyn Store, now: chrono::DateTime<Utc>) -> anyhow::Result<usize> {
    use chrono::Duration;
    use motcua_domain::lifecycle::Satisfaction;
    use motcua_store::{Rating, TicketStatus, ops};
    use rand::RngExt;

    let day = now.with_timezone(&motcua_domain::calendar::TZ).date_naive();
    let mut rng = rand::rng();
    let mut served = 0;
    for (branch, officer) in [
        ("QN-HQ", "tiepnhan.hq"),
        ("QN-HONGGAI", "tiepnhan.honggai"),
        ("QN-VANDON", "tiepnhan.vandon"),
    ] {
        let branch = &motcua_domain::ids::BranchCode::new(branch);
        let groups = store.service_groups(branch).await?;
        let agency = store
            .branches()
            .await?
            .into_iter()
            .find(|b| &b.code == branch)
            .map(|b| b.agency.to_string());
        let start = now - Duration::minutes(90);
        for i in 0..12i64 {
            let group = &groups[rng.random_range(0..groups.len())];
            store
                .issue_ticket(
                    branch,
                    &group.code,
                    None,
                    None,
                    day,
                    start + Duration::minutes(i * 7),
                )
                .await?;
        }
        // One counter per group calls in turn until an hour ago; later tickets still wait.
        let mut at = start + Duration::minutes(3);
        while at < now - Duration::minutes(60) {
            for g in &groups {
                let counter = g.counters[0];
                // Only someone who has arrived by then can be called.
                let at_counter: Vec<String> = groups
                    .iter()
                    .filter(|x| x.counters.contains(&counter))
                    .map(|x| x.code.clone())
                    .collect();
                let line = store
                    .waiting_tickets(branch, &at_counter, Some(counter), day)
                    .await?;
                // The first in line is the one called (no priorities here).
                if line
                    .iter()
                    .map(|t| t.issued_at)
                    .min()
                    .is_none_or(|first| first > at)
                {
                    continue;
                }
                let Some(t) = ops::call_next(store, branch, counter, officer, at).await? else {
                    continue;
                };
                let end = at + Duration::minutes(rng.random_range(5..15));
                let outcome = if rng.random_range(0..10) == 0 {
                    TicketStatus::NoShow
                } else {
                    TicketStatus::Done
                };
                store.end_service(t.id, counter, outcome, end).await?;
                if outcome == TicketStatus::Done {
                    served += 1;
                    let level = match rng.random_range(0..20) {
                        0 => Satisfaction::Dissatisfied,
                        1..=6 => Satisfaction::Satisfied,
                        _ => Satisfaction::VerySatisfied,
                    };
                    store
                        .add_rating(&Rating {
                            id: 0,
                            ticket_id: Some(t.id),
                            dossier: None,
                            day,
                            branch: Some(branch.clone()),
                            group: Some(t.group.clone()),
                            counter: Some(counter),
                            officer: Some(officer.into()),
                            agency: agency.clone(),
                            level,
                            criteria: Vec::new(),
                            comment: None,
                            given_by: officer.into(),
                            at: end,
                        })
                        .await?;
                }
            }
            at += Duration::minutes(12);
        }
    }
    Ok(served)
}
