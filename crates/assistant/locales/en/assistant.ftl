# The assistant's answers. A message never states a figure of its own: every number an answer
# shows comes from the procedure record, the approved answer or the calendar it cites. Quoted
# record text stays in Vietnamese, as published.
documents-intro = Documents to file for «{ $name }»:
documents-originals = { $n } original(s)
documents-copies = { $n } copy(ies)
documents-none = The published record of «{ $name }» lists no documents.
documents-more = … and more: see the procedure's page for the full list.
fee-intro = The fee for «{ $name }», as published:
fee-not-stated = no fee stated
time-intro = The time limit of «{ $name }», as published:
time-not-stated = no time limit stated
place-intro = «{ $name }» ({ $level }):
place-body = Handled by: { $body }
place-competent = Decided by: { $body }
place-methods = Ways to file: { $methods }
online-full = «{ $name }» can be done fully online: filing, following and receiving the result.
online-partial = «{ $name }» can be filed online, but some step needs a visit (collecting the result, say).
online-none = «{ $name }» cannot be done online yet: file in person or by post.
result-intro = What «{ $name }» gives: { $result }
result-not-stated = The published record of «{ $name }» does not state its result.
overview-intro = «{ $name }»:
source = Source: procedure { $code } of the catalog of administrative procedures.
faq-source = Source: the answer of { $agency }, published { $date }.
choose = The question may be about one of these procedures. Choose one to see the answer:
cannot = I cannot answer this reliably. You can send the question to an officer, who will answer.
cannot-hotline = Or call the hotline: { $hotline }.
hours-intro = Opening hours of the one-stop counters (closed on public holidays):
hours-closed = closed
hours-today-off = Today ({ $date }) is a day off: { $name }.
holidays-intro = The next days off (the one-stop counters do not receive dossiers):
ticket = Take a queue number at the kiosk of a reception point, or on its page. Choose the reception point:
appointment = You can book a time to file at a reception point. Choose the reception point:
track = To see where your dossier is, enter its code and the last four digits of the phone (or the ID number) given when filing.
track-code = To see where dossier { $code } is, enter the last four digits of the phone (or the ID number) given when filing.
feedback = You can send feedback or a petition about a procedure, an agency or an officer; the competent agency answers within the legal time limits.
complaint = A complaint is handled under the Law on Complaints, not as feedback. Send it to the agency that made the decision or act complained of, or ask an officer for help.
denunciation = A denunciation is handled under the Law on Denunciations, not as feedback. Send it to the competent agency, or ask an officer for help.
follow-documents = Documents to file
follow-fee = Fee
follow-time = Time limit
follow-place = Where to file
follow-online = Filing online
follow-procedure = See the procedure
follow-apply = File online
follow-branches = Reception points: queue numbers, appointments
follow-track = Track a dossier
follow-feedback = Send feedback
follow-ask-officer = Ask an officer
follow-hours = Opening hours
follow-holidays = Public holidays
weekday = { $day ->
    [mon] Monday
    [tue] Tuesday
    [wed] Wednesday
    [thu] Thursday
    [fri] Friday
    [sat] Saturday
   *[sun] Sunday
}
