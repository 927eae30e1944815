//! Run-time policy (office hours, counting rules) from flags and environment, and the
//! application state built from it and the database.

use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveTime;
use clap::{Args, ValueEnum};
use motcua_app::{App, FloorPolicy};
use motcua_domain::Lang;
use motcua_domain::calendar::{
    CalendarConfig, DayOneRule, DayOverride, OfficeHours, ProcessingTime, WorkingCalendar,
};
use motcua_domain::lifecycle::{TimelinessPolicy, TimelinessRule, WatchPolicy};
use motcua_store::{AgencyKind, Store};

/// The province's default calendar decisions, shipped with the program.
pub(crate) const DEFAULT_DAYS: &str =
    include_str!("../../../fixtures/calendar/vn-public-sector-days.csv");

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum DayOne {
    /// Day 1 is the working day after receipt.
    Next,
    /// The day of receipt is day 1.
    Receipt,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Early {
    /// Late when finished after the due instant.
    Instant,
    /// Compare dates only.
    Date,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum SmtpSecurityArg {
    None,
    Starttls,
    Tls,
}

/// Where notifications go. Without an SMTP host no e-mail is sent; without an SMS URL no
/// text; the outbox is drained either way.
#[derive(Args, Clone, Debug)]
pub(crate) struct Channels {
    /// Base URL of the public portal, used in links in messages.
    #[arg(long, env = "MOTCUA_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[arg(long, env = "MOTCUA_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "MOTCUA_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    #[arg(
        long,
        env = "MOTCUA_SMTP_SECURITY",
        value_enum,
        default_value = "starttls"
    )]
    pub smtp_security: SmtpSecurityArg,
    #[arg(long, env = "MOTCUA_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "MOTCUA_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    #[arg(
        long,
        env = "MOTCUA_SMTP_FROM",
        default_value = "Trung tâm Phục vụ hành chính công <noreply@localhost>"
    )]
    pub smtp_from: String,
    /// The SMS gateway's send endpoint.
    #[arg(long, env = "MOTCUA_SMS_URL")]
    pub sms_url: Option<String>,
    #[arg(
        long,
        env = "MOTCUA_SMS_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub sms_key: String,
    #[arg(long, env = "MOTCUA_SMS_SENDER", default_value = "MOTCUA")]
    pub sms_sender: String,
    /// Days a delivered notification stays in the outbox before it is pruned (the record of
    /// what was sent is kept).
    #[arg(long, env = "MOTCUA_OUTBOX_RETENTION_DAYS", default_value_t = 30)]
    pub outbox_retention_days: u32,
}

impl Channels {
    /// Starts background delivery of notifications from the outbox.
    /// With `terminal` (the demo), e-mails without an SMTP host and texts without an SMS gateway
    /// are printed on the terminal.
    pub(crate) fn spawn(
        &self,
        store: Arc<dyn Store>,
        default_url: String,
        terminal: bool,
    ) -> anyhow::Result<()> {
        use motcua_notify::{
            Dispatcher, EmailSender, HttpSms, SmsConfig, SmsSender, SmtpConfig, SmtpEmail,
            SmtpSecurity,
        };
        let email: Option<Arc<dyn EmailSender>> = match &self.smtp_host {
            None if terminal => Some(Arc::new(motcua_notify::TerminalEmail)),
            None => None,
            Some(host) => Some(Arc::new(
                SmtpEmail::new(&SmtpConfig {
                    host: host.clone(),
                    port: self.smtp_port,
                    security: match self.smtp_security {
                        SmtpSecurityArg::None => SmtpSecurity::None,
                        SmtpSecurityArg::Starttls => SmtpSecurity::StartTls,
                        SmtpSecurityArg::Tls => SmtpSecurity::Tls,
                    },
                    username: self.smtp_user.clone(),
                    password: self.smtp_password.clone(),
                    from: self.smtp_from.clone(),
                })
                .context("SMTP settings")?,
            )),
        };
        let sms: Option<Arc<dyn SmsSender>> = match &self.sms_url {
            None if terminal => Some(Arc::new(motcua_notify::TerminalSms)),
            None => None,
            Some(url) => Some(Arc::new(
                HttpSms::new(SmsConfig {
                    url: url.clone(),
                    api_key: self.sms_key.clone(),
                    sender: self.sms_sender.clone(),
                })
                .context("SMS settings")?,
            )),
        };
        if email.is_none() && sms.is_none() {
            tracing::warn!(
                "no SMTP host and no SMS gateway configured: notifications are not sent"
            );
        }
        // Messages no configured channel could carry are not queued.
        store.deliver_on(motcua_store::Delivery {
            email: email.is_some(),
            sms: sms.is_some(),
        });
        let url = self.public_url.clone().unwrap_or(default_url);
        Arc::new(
            Dispatcher::new(store, email, sms, url).with_retention(chrono::Duration::days(
                i64::from(self.outbox_retention_days),
            )),
        )
        .spawn(std::time::Duration::from_secs(2));
        Ok(())
    }
}

/// Rules the domain brief leaves open; each province sets them.
#[derive(Args, Clone, Debug)]
pub(crate) struct Policy {
    /// Which day counts as day 1 of a limit in working days.
    #[arg(long, env = "MOTCUA_DAY_ONE", value_enum, default_value = "next")]
    pub day_one: DayOne,
    /// Office hours Monday to Friday.
    #[arg(
        long,
        env = "MOTCUA_OFFICE_HOURS",
        default_value = "07:30-11:30,13:30-16:30"
    )]
    pub office_hours: String,
    /// Office hours on Saturday (empty: closed).
    #[arg(long, env = "MOTCUA_SATURDAY_HOURS", default_value = "")]
    pub saturday_hours: String,
    /// Dossiers received after this local time count from the next working day.
    #[arg(long, env = "MOTCUA_CUTOFF", default_value = "15:00")]
    pub cutoff: NaiveTime,
    /// How early/on time/late is decided.
    #[arg(long, env = "MOTCUA_TIMELINESS", value_enum, default_value = "instant")]
    pub timeliness: Early,
    /// Count a result delivered by the re-appointed date as on time.
    #[arg(long, env = "MOTCUA_REAPPOINTMENT_COUNTS", default_value_t = false)]
    pub reappointment_counts: bool,
    /// Working hours before an appointment or a step's end at which officers are warned.
    #[arg(long, env = "MOTCUA_WARN_HOURS", default_value_t = 8)]
    pub warn_hours: u32,
    /// Working days from the apology to the new appointment of a late dossier.
    #[arg(long, env = "MOTCUA_REAPPOINT_DAYS", default_value_t = 5)]
    pub reappoint_days: u32,
    /// Length in minutes of an appointment slot (office hours are cut into slots).
    #[arg(long, env = "MOTCUA_SLOT_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(5..=240))]
    pub slot_minutes: u32,
    /// Appointments a slot takes per counter serving the group.
    #[arg(long, env = "MOTCUA_SLOT_CAPACITY", default_value_t = 2)]
    pub slot_capacity: u32,
    /// Minutes before its slot from which an appointment may be checked in at the kiosk.
    #[arg(long, env = "MOTCUA_CHECK_IN_EARLY", default_value_t = 60)]
    pub check_in_early: u32,
    /// Days ahead within which appointments can be booked.
    #[arg(long, env = "MOTCUA_BOOKING_DAYS", default_value_t = 14)]
    pub booking_days: u32,
    /// A CSV file of search phrases (`kind,phrase,means,note`: colloquial names of procedures
    /// and filler words) read after the shipped list, adding to it and correcting it.
    #[arg(long, env = "MOTCUA_SEARCH_PHRASES")]
    pub search_phrases: Option<std::path::PathBuf>,
    /// Proxies in front of the server (addresses or networks, comma-separated) whose
    /// `X-Forwarded-For` names the client; requests from anywhere else are their own client.
    /// The client's address keys the abuse limits and is sent to the payment gateway.
    #[arg(long, env = "MOTCUA_TRUSTED_PROXIES", value_delimiter = ',', value_parser = motcua_app::parse_trusted_proxy)]
    pub trusted_proxy: Vec<motcua_app::IpNet>,
    /// Where the report form (Biểu 06) counts dossiers refused or withdrawn after receipt:
    /// `on-time`, all in column 9 as II.06a annotates it, or `by-appointment`, in column 10
    /// when stopped after their appointment. Unconfirmed by the circular's instructions.
    #[arg(long, env = "MOTCUA_FORM06_STOPPED", value_enum, default_value_t = Stopped::OnTime)]
    pub form06_stopped: Stopped,
    /// The time limits of feedback and petitions in working days, as a named set:
    /// `ID:refuse=2,request_info=5,forward=5,answer=15,publish=2,reopen_window=10` (any of
    /// them; the others keep the Decision 766 document's numbers, unconfirmed after 2026).
    #[arg(long, env = "MOTCUA_PAKN_LIMITS", default_value = "qd766-2022", value_parser = parse_pakn_limits)]
    pub pakn_limits: Box<motcua_domain::pakn::Limits>,
    /// What happens to overdue petitions, as a named set of rules
    /// `ID:state+days:notify=role,state+days:reassign=parent|AGENCY` (states `submitted`,
    /// `accepted`, `answered`; `days` working days past the step's due). Unless set: the
    /// officers who should act are alerted when a step is overdue, their leaders two working
    /// days later, and nothing is reassigned.
    #[arg(long, env = "MOTCUA_PAKN_ESCALATION", value_parser = parse_pakn_escalation)]
    pub pakn_escalation: Option<Box<motcua_domain::pakn::Escalation>>,
    /// The support hotline the assistant offers when it cannot answer and the support page
    /// shows (the province's own number; none is assumed).
    #[arg(long, env = "MOTCUA_HOTLINE")]
    pub hotline: Option<String>,
    /// Working hours within which an officer first answers a question to an officer (no legal
    /// rule sets it).
    #[arg(long, env = "MOTCUA_QUESTION_HOURS", default_value_t = motcua_domain::questions::DEFAULT_RESPONSE_HOURS)]
    pub question_hours: u32,
}

fn parse_pakn_limits(s: &str) -> Result<Box<motcua_domain::pakn::Limits>, String> {
    motcua_domain::pakn::Limits::parse(s)
        .map(Box::new)
        .map_err(|e| e.to_string())
}

fn parse_pakn_escalation(s: &str) -> Result<Box<motcua_domain::pakn::Escalation>, String> {
    motcua_domain::pakn::Escalation::parse(s)
        .map(Box::new)
        .map_err(|e| e.to_string())
}

/// Where the report form counts refused and withdrawn dossiers.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    OnTime,
    ByAppointment,
}

impl Policy {
    pub(crate) fn calendar(&self, overrides: Vec<DayOverride>) -> anyhow::Result<WorkingCalendar> {
        let day = |s: &str| {
            OfficeHours::parse_day(s)
                .map_err(|e| anyhow::anyhow!("{}", motcua_i18n::localise(Lang::En, &e)))
        };
        let office_hours = OfficeHours::weekly(
            day(&self.office_hours)?,
            day(&self.saturday_hours)?,
            self.cutoff,
        );
        let day_one = match self.day_one {
            DayOne::Next => DayOneRule::NextWorkingDay,
            DayOne::Receipt => DayOneRule::ReceiptDay,
        };
        WorkingCalendar::new(CalendarConfig {
            office_hours,
            day_one,
            overrides,
            ..CalendarConfig::default()
        })
        .map_err(|e| anyhow::anyhow!("office hours: {}", motcua_i18n::localise(Lang::En, &e)))
    }

    pub(crate) fn timeliness(&self) -> TimelinessPolicy {
        TimelinessPolicy {
            rule: match self.timeliness {
                Early::Instant => TimelinessRule::ByInstant,
                Early::Date => TimelinessRule::ByDate,
            },
            reappointment_counts: self.reappointment_counts,
        }
    }
}

/// Calendar decisions from the database, first filling it with the shipped defaults.
pub(crate) async fn calendar_days(store: &dyn Store) -> anyhow::Result<Vec<DayOverride>> {
    let mut days = store.calendar_days().await?;
    if days.is_empty() {
        for d in DayOverride::parse_csv(DEFAULT_DAYS).context("shipped calendar data")? {
            store.put_calendar_day(&d).await?;
        }
        days = store.calendar_days().await?;
    }
    Ok(days)
}

/// The server's state: store, calendar from the database, policy, receiving centre.
pub(crate) async fn app_state(
    store: Arc<dyn Store>,
    policy: &Policy,
    files: &str,
) -> anyhow::Result<App> {
    let files = motcua_app::FileStore::open(files).context("opening the file storage")?;
    let calendar = policy.calendar(calendar_days(&*store).await?)?;
    let centre = match store.setting("receiving_agency").await? {
        Some(code) => code.parse().map_err(|e| anyhow::anyhow!("setting receiving_agency: {e}"))?,
        None => store
            .agencies()
            .await?
            .into_iter()
            .find(|a| a.kind == AgencyKind::Centre)
            .map(|a| a.code)
            .context("no Public Administrative Service Centre among the agencies; add one (kind centre) first")?,
    };
    let mut state = App::new(store, calendar, policy.timeliness(), centre, files)
        .await
        .context("building the catalog search index")?;
    if let Some(path) = &policy.search_phrases {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the search phrases {}", path.display()))?;
        let phrases = motcua_search::Phrases::built_in()
            .with(&text)
            .map_err(|e| anyhow::anyhow!("{}", motcua_i18n::localise(Lang::En, &e)))?;
        state = state
            .with_search_phrases(phrases)
            .await
            .context("building the catalog search index")?;
    }
    state.watch = policy.watch();
    state.form06_stopped = match policy.form06_stopped {
        Stopped::OnTime => motcua_domain::index::StoppedColumn::OnTime,
        Stopped::ByAppointment => motcua_domain::index::StoppedColumn::ByAppointment,
    };
    state.pakn_limits = (*policy.pakn_limits).clone();
    if let Some(rules) = &policy.pakn_escalation {
        state.pakn_escalation = (**rules).clone();
    }
    state.hotline = policy.hotline.clone();
    state.question_hours = policy.question_hours;
    state = state.with_trusted_proxies(policy.trusted_proxy.clone());
    state.floor = FloorPolicy {
        slot_minutes: policy.slot_minutes,
        per_counter: policy.slot_capacity,
        check_in_early_minutes: policy.check_in_early,
        booking_days: policy.booking_days,
    };
    Ok(state)
}

impl Policy {
    /// How the deadline watcher judges and re-appoints.
    pub(crate) fn watch(&self) -> WatchPolicy {
        WatchPolicy {
            warn_hours: self.warn_hours,
            reappoint_after: ProcessingTime::WorkingDays(self.reappoint_days.max(1)),
        }
    }
}

/// Online fee payment through a VNPay-protocol gateway. Without a gateway URL, fees are paid
/// at the counter; `--payment-sandbox` serves a test gateway under `/sandbox/` instead.
#[derive(Args, Clone, Debug)]
pub(crate) struct Payments {
    /// The gateway's payment page (e.g. `https://…/paymentv2/vpcpay.html`).
    #[arg(long, env = "MOTCUA_VNPAY_URL")]
    pub vnpay_url: Option<String>,
    /// The gateway's transaction API (e.g. `https://…/merchant_webapi/api/transaction`): payments
    /// whose notification never came are asked about there every five minutes; without it they
    /// expire after the gateway's time limit.
    #[arg(long, env = "MOTCUA_VNPAY_API_URL")]
    pub vnpay_api_url: Option<String>,
    /// Merchant code at the gateway (vnp_TmnCode).
    #[arg(long, env = "MOTCUA_VNPAY_TMN", default_value = "MOTCUA01")]
    pub vnpay_tmn: String,
    /// Shared secret with the gateway (vnp_HashSecret).
    #[arg(long, env = "MOTCUA_VNPAY_SECRET", hide_env_values = true)]
    pub vnpay_secret: Option<String>,
    /// Serve the sandbox gateway and pay through it (never in production).
    #[arg(long, env = "MOTCUA_PAYMENT_SANDBOX")]
    pub payment_sandbox: bool,
}

impl Payments {
    /// The gateway settings; `own_url` is where this server listens (for the sandbox's IPN).
    pub(crate) async fn config(
        &self,
        store: &dyn Store,
        public_url: &str,
        own_url: &str,
    ) -> anyhow::Result<Option<motcua_app::VnpayConfig>> {
        let ipn_url = format!("{own_url}/api/v1/payments/vnpay/ipn");
        if self.payment_sandbox {
            let stored = store.setting("sandbox_payment_secret").await?;
            let secret = match (self.vnpay_secret.clone(), stored) {
                (Some(s), _) | (None, Some(s)) => s,
                (None, None) => {
                    let s = motcua_app::secrets::new_secret("");
                    store.put_setting("sandbox_payment_secret", &s).await?;
                    s
                }
            };
            return Ok(Some(motcua_app::VnpayConfig {
                gateway_url: format!("{public_url}/sandbox/vnpay/pay"),
                tmn_code: self.vnpay_tmn.clone(),
                secret,
                public_url: public_url.to_string(),
                sandbox: true,
                ipn_url,
                api_url: Some(format!("{own_url}/sandbox/vnpay/api/transaction")),
            }));
        }
        match (&self.vnpay_url, &self.vnpay_secret) {
            (Some(url), Some(secret)) => Ok(Some(motcua_app::VnpayConfig {
                gateway_url: url.clone(),
                tmn_code: self.vnpay_tmn.clone(),
                secret: secret.clone(),
                public_url: public_url.to_string(),
                sandbox: false,
                ipn_url,
                api_url: self.vnpay_api_url.clone(),
            })),
            (Some(_), None) => anyhow::bail!("--vnpay-url needs --vnpay-secret"),
            _ => Ok(None),
        }
    }
}
