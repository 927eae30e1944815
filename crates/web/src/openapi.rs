//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{
    assistant, auth, citizen, documents, dossiers, filing, floor, health, monitoring, pakn,
    pakn_files, payments, procedures, questions, queue, ratings, reference, reports, stats, track,
    work,
};
use motcua_app::App;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua",
        description = "API of the one-stop public administrative service system: catalog, dossiers, tracking, statistics. Errors are `{\"error\": {\"code\", \"message\"}}`; send `Accept-Language: en` for English messages.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "catalog", description = "Procedures (thủ tục hành chính)"),
        (name = "dossiers", description = "Dossiers (hồ sơ): intake, actions, history"),
        (name = "tracking", description = "Public tracking"),
        (name = "pakn", description = "Feedback and petitions (phản ánh, kiến nghị): filed by anyone, handled by officers on the working calendar"),
        (name = "support", description = "The 24/7 assistant: answers from the catalog's published records, never a figure they do not state"),
        (name = "statistics", description = "Counters from incrementally maintained aggregates"),
        (name = "reference", description = "Agencies, branches, calendar"),
        (name = "auth", description = "Staff tokens"),
        (name = "payments", description = "Fees paid online (VNPay protocol); the sandbox gateway lives under /sandbox/"),
        (name = "citizen", description = "Citizens' accounts for the portal and mobile apps"),
        (name = "queue", description = "Queue tickets of a branch and counters calling them"),
        (name = "appointments", description = "Appointments booked by branch, group and slot, checked in at the kiosk"),
        (name = "ratings", description = "Satisfaction ratings at counters' tablets and online, and their live summaries"),
        (name = "system", description = "Health")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A staff token from POST /api/v1/auth/token, an agency system's API key, or a citizen's token from POST /api/v1/citizen/login",
                    ))
                    .build(),
            ),
        );
    }
}

pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(auth::token))
        .routes(routes!(citizen::register))
        .routes(routes!(citizen::verify))
        .routes(routes!(citizen::resend))
        .routes(routes!(citizen::login))
        .routes(routes!(citizen::logout))
        .routes(routes!(citizen::forgot))
        .routes(routes!(citizen::reset))
        .routes(routes!(citizen::profile, citizen::update_profile))
        .routes(routes!(citizen::add_contact))
        .routes(routes!(citizen::verify_contact))
        .routes(routes!(citizen::sessions))
        .routes(routes!(citizen::revoke_session))
        .routes(routes!(filing::create, filing::list))
        .routes(routes!(filing::get, filing::save, filing::discard))
        .routes(routes!(filing::reuse))
        .routes(routes!(filing::detach))
        .routes(routes!(filing::files))
        .routes(routes!(filing::submit))
        .routes(routes!(filing::dossiers))
        .routes(routes!(payments::create, payments::list))
        .routes(routes!(payments::ipn))
        .routes(routes!(documents::receipt))
        .routes(routes!(documents::result))
        .routes(routes!(documents::attachment))
        .routes(routes!(documents::slip))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(filing::upload))
                .routes(routes!(filing::supplement_upload))
                .routes(routes!(documents::issue_result))
                .layer(axum::extract::DefaultBodyLimit::max(
                    motcua_app::filing::UPLOAD_BODY_LIMIT,
                )),
        )
        .routes(routes!(procedures::list))
        .routes(routes!(procedures::get))
        .routes(routes!(dossiers::create, dossiers::search))
        .routes(routes!(dossiers::get))
        .routes(routes!(dossiers::events))
        .routes(routes!(dossiers::act))
        .routes(routes!(work::inbox))
        .routes(routes!(work::alerts))
        .routes(routes!(work::read_alert))
        .routes(routes!(track::track))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(pakn::file, pakn::list))
                .layer(axum::extract::DefaultBodyLimit::max(
                    motcua_app::pakn::UPLOAD_BODY_LIMIT,
                )),
        )
        .routes(routes!(pakn_files::attachment))
        .routes(routes!(pakn::lookup))
        .routes(routes!(pakn::rate))
        .routes(routes!(pakn::act))
        .routes(routes!(pakn::stats))
        .routes(routes!(pakn::published))
        .routes(routes!(assistant::ask))
        .routes(routes!(questions::ask, questions::list))
        .routes(routes!(questions::lookup))
        .routes(routes!(questions::answer))
        .routes(routes!(questions::convert))
        .routes(routes!(questions::faq))
        .routes(routes!(questions::week_report))
        .routes(routes!(stats::daily))
        .routes(routes!(monitoring::index))
        .routes(routes!(monitoring::tree))
        .routes(routes!(monitoring::dossiers))
        .routes(routes!(reports::form06))
        .routes(routes!(reports::form06_pdf))
        .routes(routes!(reports::form06_xlsx))
        .routes(routes!(reference::agencies))
        .routes(routes!(reference::branches))
        .routes(routes!(queue::take))
        .routes(routes!(queue::call_next))
        .routes(routes!(queue::recall))
        .routes(routes!(queue::end))
        .routes(routes!(queue::board))
        .routes(routes!(floor::queue_state))
        .routes(routes!(floor::transfer))
        .routes(routes!(floor::link))
        .routes(routes!(floor::slots))
        .routes(routes!(floor::create_appointment))
        .routes(routes!(floor::cancel))
        .routes(routes!(floor::check_in_api))
        .routes(routes!(ratings::rate))
        .routes(routes!(ratings::satisfaction))
        .routes(routes!(ratings::live))
        .routes(routes!(stats::floor))
        .routes(routes!(reference::holidays))
}
