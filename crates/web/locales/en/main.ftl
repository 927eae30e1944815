# Public pages — English
site-name = Public Administrative Service Centre
site-tagline = One stop, one point of contact: receiving, resolving and returning administrative procedures
skip-to-content = Skip to main content
nav-label = Main navigation
nav-home = Home
nav-procedures = Procedures
nav-agencies = Agencies
nav-branches = Service points
nav-api = API
language-label = Language
language-switch = Tiếng Việt
language-switch-hint = Chuyển sang tiếng Việt
breadcrumb-label = Breadcrumb
footer-data = Catalog data comes from the National Database on Administrative Procedures; each procedure page names its source.
footer-hours = Office hours
footer-open-data = Open data (API)

search-label = Find a procedure
search-hint = Type a procedure name, field, agency or code; Vietnamese without tone marks works too.
search-button = Search
search-too-long = The search text is too long: 200 characters at most.
error-summary-title = There is a problem

home-title = Find and complete administrative procedures
home-lead = Find the right procedure and learn exactly what it takes: documents, time, fees and where to file.
home-popular = Most used procedures
home-fields = Fields
home-agencies = Implementing agencies
home-stats = Results in { $year }
stat-received = Dossiers received
stat-resolved = Dossiers resolved
stat-on-time = Resolved on time or early
stat-procedures = Procedures in the catalog
home-all-procedures = See all procedures

list-title = Administrative procedure catalog
list-results = { $total ->
    [0] No procedures found
    [one] 1 procedure
   *[other] { $total } procedures
}
list-results-for = for “{ $q }”
list-filters = Filter results
filter-field = Field
filter-agency = Implementing agency
filter-level = Level
filter-online = Online service
filter-any = All
filter-apply = Apply
filter-clear = Clear filters
list-none-hint = Try fewer words, check the spelling, or remove a filter.
col-code = Code
col-name = Procedure
col-field = Field
col-time = Processing time
col-online = Online
pagination-label = Pagination
pagination-previous = Previous page
pagination-next = Next page
pagination-page = Page { $page } of { $pages }

online-full = Full-process
online-partial = Partial
online-none = In person

time-working-days = { $n ->
    [one] 1 working day
   *[other] { $n } working days
}
time-working-hours = { $n ->
    [one] 1 working hour
   *[other] { $n } working hours
}
time-calendar-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
time-none = Not specified

procedure-code = Procedure code
procedure-field = Field
procedure-level = Level
procedure-agency = Implementing agency
procedure-competent = Competent authority
procedure-implementing = Implementing body (as published)
procedure-decision = Announcing decision
procedure-online = Online service
procedure-time = Processing time
procedure-subjects = Who may apply
procedure-result = Result
procedure-conditions = Requirements and conditions
procedure-methods = Ways to file, time limits and fees
procedure-method = Way to file
procedure-fee = Fees and charges
procedure-documents = Documents to submit
procedure-document = Document
procedure-originals = Originals
procedure-copies = Copies
procedure-template = Form template
procedure-template-download = Download the form { $name }
procedure-no-template = No form
procedure-legal = Legal basis
procedure-steps = How it is processed
procedure-step = Step
procedure-step-role = Handled by
procedure-step-budget = Time
procedure-step-hours = { $n ->
    [one] 1 working hour
   *[other] { $n } working hours
}
procedure-where = Where to file
procedure-where-lead = Filing does not depend on where you live: any of these service points takes the dossier.
procedure-apply = Apply online
procedure-apply-counter = This procedure is filed in person at a service point or by post.
procedure-source = Source
procedure-missing = The source does not give: { $fields }.
procedure-not-found = Procedure not found
procedure-not-found-lead = There is no procedure with this code in the catalog.
procedure-bad-code = Not a valid procedure code

missing-name_en = English name
missing-form_schema = online form
missing-workflow = time budget of each step (a default workflow is used)
missing-processing_time = processing time
missing-fees = the amount of fees
missing-online_level = online service level (full-process or partial)
missing-conditions = requirements and conditions
missing-result = the result
missing-target_subjects = who may apply
missing-decision = the announcing decision
missing-documents = documents to submit
missing-legal_basis = legal basis

role-specialist = Specialist
role-approver = Approving leader
role-reception = Reception desk
role-other = Officer

apply-title = Apply online: { $name }
apply-lead = Prepare the documents below as files (PDF, JPG or PNG). The one-stop department checks an online dossier before receiving it; the processing time runs from receipt.
apply-prepare = Documents to prepare
apply-time = Processing time
apply-counter-instead = Or file in person at a service point

template-title = Form: { $name }
template-note = This form was drawn up by the system from the catalog, to print and fill in by hand. The official form as published: { $file } — not in the source data; when the agency uploads the official file, it replaces this one.
template-applicant = Applicant
template-name = Full name
template-cccd = Citizen ID number (CCCD)
template-address = Address
template-phone = Phone number
template-content = Request
template-date = date .......................
template-signature = Applicant (signature and full name)

agencies-title = Agencies implementing procedures
agency-procedures = Procedures implemented by this agency
agency-parent = Parent agency
agency-units = Units under this agency
agency-kind-province = Provincial People's Committee
agency-kind-centre = Public Administrative Service Centre
agency-kind-department = Department
agency-kind-commune = Commune People's Committee
agency-kind-vertical = Vertically organised agency
agency-kind-central = Central agency
agency-code = Identifier code
agency-not-found = Agency not found

branches-title = Service points for filing and results
branch-address = Address
branch-hours = Office hours
branch-counters = Counters
branch-any-procedure = This service point takes dossiers of every procedure in the catalog, wherever the applicant lives.
branch-not-found = Service point not found

not-found-title = Page not found
not-found-lead = This address does not exist on the portal. Check it, or find a procedure from the home page.
bad-request-title = Request not valid

## Payment
payment-dossier = Dossier
payment-amount = Amount
payment-reference = Transaction reference
payment-merchant = Payee
payment-order = Description
payment-back-to-dossier = View the dossier
payment-paid-title = Fee paid
payment-paid-lead = The payment gateway has confirmed the payment. The one-stop department will receive and process the dossier.
payment-pending-title = Waiting for the payment confirmation
payment-pending-lead = The gateway has not confirmed yet. Reload this page in a few minutes; do not pay again.
payment-failed-title = Payment not completed
payment-failed-lead = The transaction was cancelled or failed; nothing has been recorded. You can pay again from the dossier page.
payment-invalid-title = Payment result not valid
payment-invalid-lead = The information returned by the payment gateway does not carry a valid signature and was not accepted. The dossier has not changed; see the dossier page.
sandbox-tag = Test environment
sandbox-title = Test payment gateway
sandbox-lead = This gateway imitates the VNPay protocol so the whole flow can be tried. No real money moves.
sandbox-bank = Bank
sandbox-pay = Pay
sandbox-cancel = Cancel the transaction
sandbox-bad-title = Payment request not valid
sandbox-bad-lead = The payment request's signature is wrong.
