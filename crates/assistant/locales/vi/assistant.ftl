# The assistant's answers. A message never states a figure of its own: every number an answer
# shows comes from the procedure record, the approved answer or the calendar it cites (the
# answer gate refuses anything else, and the crate's tests check these messages hold no digit).
documents-intro = Giấy tờ cần nộp cho thủ tục «{ $name }»:
documents-originals = { $n } bản chính
documents-copies = { $n } bản sao
documents-none = Hồ sơ công bố của thủ tục «{ $name }» không liệt kê giấy tờ.
documents-more = … và các giấy tờ khác, xem đủ ở trang thủ tục.
fee-intro = Lệ phí của thủ tục «{ $name }», theo hồ sơ công bố:
fee-not-stated = không ghi lệ phí
time-intro = Thời hạn giải quyết thủ tục «{ $name }», theo hồ sơ công bố:
time-not-stated = không ghi thời hạn
place-intro = Thủ tục «{ $name }» ({ $level }):
place-body = Cơ quan thực hiện: { $body }
place-competent = Cơ quan có thẩm quyền quyết định: { $body }
place-methods = Cách nộp: { $methods }
online-full = Thủ tục «{ $name }» làm được trực tuyến toàn trình: nộp hồ sơ, theo dõi và nhận kết quả qua mạng.
online-partial = Thủ tục «{ $name }» nộp hồ sơ trực tuyến được, nhưng có bước phải đến cơ quan (ví dụ nhận kết quả).
online-none = Thủ tục «{ $name }» chưa làm được trực tuyến: nộp trực tiếp hoặc qua bưu chính.
result-intro = Kết quả của thủ tục «{ $name }»: { $result }
result-not-stated = Hồ sơ công bố của thủ tục «{ $name }» không ghi kết quả.
overview-intro = Thủ tục «{ $name }»:
source = Nguồn: thủ tục { $code } trong danh mục thủ tục hành chính.
faq-source = Nguồn: câu trả lời của { $agency }, công bố ngày { $date }.
choose = Câu hỏi có thể nói về một trong các thủ tục sau. Chọn thủ tục để xem câu trả lời:
cannot = Tôi chưa trả lời được câu hỏi này một cách chắc chắn. Bạn có thể gửi câu hỏi để cán bộ trả lời.
cannot-hotline = Hoặc gọi đường dây nóng: { $hotline }.
hours-intro = Giờ tiếp nhận hồ sơ tại bộ phận một cửa (trừ ngày nghỉ lễ, Tết):
hours-closed = nghỉ
hours-today-off = Hôm nay ({ $date }) là ngày nghỉ: { $name }.
holidays-intro = Các ngày nghỉ sắp tới (bộ phận một cửa không tiếp nhận hồ sơ):
ticket = Bạn lấy số thứ tự tại máy lấy số của điểm tiếp nhận, hoặc trên trang của điểm tiếp nhận. Chọn điểm tiếp nhận:
appointment = Bạn có thể đặt lịch hẹn nộp hồ sơ tại một điểm tiếp nhận. Chọn điểm tiếp nhận:
track = Để xem hồ sơ đến đâu, nhập mã hồ sơ và bốn số cuối điện thoại (hoặc số giấy tờ) đã khai khi nộp.
track-code = Để xem hồ sơ { $code } đến đâu, nhập bốn số cuối điện thoại (hoặc số giấy tờ) đã khai khi nộp.
feedback = Bạn có thể gửi phản ánh, kiến nghị về thủ tục, cơ quan hoặc cán bộ; cơ quan có thẩm quyền trả lời theo thời hạn luật định.
complaint = Khiếu nại giải quyết theo Luật Khiếu nại, không qua kênh phản ánh, kiến nghị. Hãy gửi đơn khiếu nại đến cơ quan đã ra quyết định hoặc có hành vi bị khiếu nại, hoặc nhờ cán bộ hướng dẫn.
denunciation = Tố cáo giải quyết theo Luật Tố cáo, không qua kênh phản ánh, kiến nghị. Hãy gửi đơn tố cáo đến cơ quan có thẩm quyền, hoặc nhờ cán bộ hướng dẫn.
follow-documents = Giấy tờ cần nộp
follow-fee = Lệ phí
follow-time = Thời hạn giải quyết
follow-place = Nộp ở đâu
follow-online = Nộp trực tuyến
follow-procedure = Xem thủ tục
follow-apply = Nộp hồ sơ trực tuyến
follow-branches = Điểm tiếp nhận: lấy số, đặt lịch
follow-track = Tra cứu hồ sơ
follow-feedback = Gửi phản ánh, kiến nghị
follow-ask-officer = Hỏi cán bộ
follow-hours = Giờ làm việc
follow-holidays = Ngày nghỉ lễ
weekday = { $day ->
    [mon] Thứ Hai
    [tue] Thứ Ba
    [wed] Thứ Tư
    [thu] Thứ Năm
    [fri] Thứ Sáu
    [sat] Thứ Bảy
   *[sun] Chủ nhật
}
