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

## Forms
form-optional = optional
form-error-prefix = Error:
form-choose = Choose…
form-continue = Continue
form-save-continue = Save and continue
form-error-title-prefix = Error:
form-yes = Yes
form-no = No
csrf-title = The form has expired
csrf-lead = This form is no longer valid (the session ended or the page is old). Nothing has changed; go back, reload the page and send it again.

## Account
nav-account = Account
account-title = My account
account-login = E-mail or phone number
account-login-hint = For example: name@example.vn or 0912345678
account-full-name = Full name
account-password = Password
account-password-hint = At least 8 characters.
account-back = Back to my account
account-welcome = Your account is verified. Welcome!
account-edit-profile = Update my profile
account-file-new = File a new dossier
account-dossiers = Filed dossiers
account-no-dossiers = You have not filed any dossier yet.
account-col-code = Dossier code
account-col-procedure = Procedure
account-col-status = Status
account-col-filed = Filed
account-drafts = Dossiers in progress
account-draft-saved = saved at
account-sessions = Devices signed in
account-session-since = since
account-session-current = this device
account-session-revoke = Sign this device out
account-logout = Sign out
register-title = Create an account
register-lead = Use your e-mail or mobile number; we send a verification code there.
register-submit = Create account
register-have-account = Have an account? Sign in
verify-title = Enter the verification code
verify-lead = We sent a 6-digit code to your e-mail or phone. It is valid for { $minutes } minutes.
verify-code = Verification code
verify-code-hint = 6 digits
verify-submit = Verify
verify-resend = No code? Send it again
verify-resent = A new code was sent (if the login is right).
login-title = Sign in
login-submit = Sign in
login-register = No account? Create one
login-forgot = Forgot your password?
login-expired = Your session ended or you are not signed in. Sign in to continue; what you saved is kept.
login-after-reset = Your password was reset. Sign in with the new password.
forgot-title = Forgotten password
forgot-lead = Enter the e-mail or phone of your account; if there is an account, we send a reset code.
reset-title = Reset the password
reset-lead = Enter the code you received and a new password. Every device signed in will be signed out.
reset-password = New password
profile-title = My profile
profile-lead = This information is filled in on the dossiers you file.
profile-cccd = Citizen ID number (CCCD)
profile-cccd-hint = 12 digits, printed on the ID card.
profile-birth-date = Date of birth
profile-province = Province or city
profile-ward = Commune or ward
profile-ward-hint = Listed for the chosen province (units from 1 July 2025). After changing the province, save once to update the list.
profile-address = House number, street, hamlet
profile-lang = Language of notifications
profile-save = Save
profile-saved = Your profile is saved.

## Filing online
apply-start = Start filing online
apply-login = Sign in to file
draft-title = Filing online
draft-steps = Steps
draft-step-answers = Application details
draft-step-documents = Documents
draft-step-check = Check and file
draft-answers-lead = Your answers are saved; you can come back and continue at any time.
draft-documents-lead = Upload clear scans or photos: PDF, JPG or PNG, at most { $mb } MB each.
documents-file = Choose a file
documents-file-hint = PDF, JPG or PNG.
documents-upload = Upload
documents-remove = Remove
documents-reuse = Or reuse a document you gave before
documents-reuse-submit = Reuse
documents-choose-file = Choose a file to upload.
documents-too-large = The file is too large.
check-applicant = Applicant
check-change = Change
check-missing = Not given
check-fee = Fees
check-no-fee = No fee when filing online
check-declaration = I declare that the information given is true.
check-submit = File the dossier
dossier-title = Dossier
dossier-filed-title = Dossier filed
dossier-filed-code = Your dossier code:
dossier-already-filed = This dossier was filed before; it was not filed again.
dossier-filed = Filed
dossier-received = Received
dossier-due = Result due
dossier-due-expected = Expected result date (if received now)
dossier-fee = Fees
dossier-fee-paid = paid
dossier-fee-unpaid = not paid
dossier-receipt = Download the receipt (PDF)
dossier-pay-title = Pay the fee
dossier-pay-lead = The dossier is received once the fee is paid:
dossier-pay = Pay online
dossier-supplement-title = Supplement needed
dossier-supplement-reason = Reason:
dossier-supplement-document = Document
dossier-supplement-note = Note
dossier-supplement-send = Send the supplement
dossier-supplement-sent = The supplement was sent.
dossier-uploaded = The document was uploaded. When everything is there, press “Send the supplement”.
dossier-result = Result
dossier-timeline = History
dossier-attachments = Documents given
dossier-withdraw-title = Withdraw the dossier
dossier-withdraw-reason = Reason for withdrawing
dossier-withdraw = Withdraw
dossier-withdrawn = The dossier was withdrawn.

## Tracking
nav-track = Track a dossier
track-title = Track a dossier
track-lead = Enter the dossier code and the last 4 digits of the applicant's phone (or citizen ID).
track-code = Dossier code
track-code-hint = Printed on the receipt, e.g. 000.00.01.H40-250602-0001
track-verify = Last 4 digits of the phone number
track-verify-hint = With no phone given: the last 4 digits of the citizen ID.
track-submit = Track
track-not-found = No dossier matches that code and those 4 digits. Check them.
dossier-result-download = Download the electronic result
rating-title = Rate the service
rating-question = Are you satisfied with how this dossier was handled?
rating-criterion-resolution_time = Time taken against the legal limit
rating-criterion-contacts = Times you had to get in touch to complete the dossier
rating-criterion-agencies = Agencies you had to contact
rating-criterion-attitude = Staff attitude
rating-score-2 = Good (2 points)
rating-score-1 = Acceptable (1 point)
rating-score-0 = Not acceptable (0 points)
rating-comment = Comments
rating-submit = Send the rating
rating-thanks = Thank you for your rating.
rating-given = Your rating:
rating-choose = Choose how satisfied you are.
draft-question-of = Question { $n } of { $m }
draft-previous = Back to the previous question

verify-doc-title = Verify a result document
verify-doc-valid = Issued by this system and intact in its records
verify-doc-agency = Issuing agency
verify-doc-date = Date of issue
verify-doc-procedure = Procedure
verify-doc-dossier = Dossier code
verify-doc-hash = SHA-256 hash
verify-doc-check = Check the file you have
verify-doc-file = Document file
verify-doc-file-hint = The file is compared on the server and discarded, never kept.
verify-doc-submit = Check
verify-doc-match = The file matches the issued document exactly.
verify-doc-mismatch = The file does NOT match the issued document: it was changed, or it is another document.
verify-doc-your-hash = Hash of the file you sent
verify-doc-unknown = This system issued no document with this code. The document may not be ours, or the code was altered.
verify-doc-choose = Choose the file to check.
verify-doc-too-large = The file is too large.
