# Giao diện công khai — tiếng Việt (ngôn ngữ mặc định)
site-name = Trung tâm Phục vụ hành chính công
site-tagline = Một cửa, một đầu mối: tiếp nhận, giải quyết và trả kết quả thủ tục hành chính
skip-to-content = Chuyển đến nội dung chính
nav-label = Điều hướng chính
nav-home = Trang chủ
nav-procedures = Thủ tục hành chính
nav-agencies = Cơ quan
nav-branches = Điểm tiếp nhận
nav-api = API
language-label = Ngôn ngữ
language-switch = English
language-switch-hint = Switch to English
breadcrumb-label = Đường dẫn
footer-data = Dữ liệu danh mục lấy từ Cơ sở dữ liệu quốc gia về thủ tục hành chính; nguồn của từng thủ tục được ghi trên trang thủ tục.
footer-hours = Giờ làm việc
footer-open-data = Dữ liệu mở (API)

search-label = Tìm thủ tục
search-hint = Gõ tên thủ tục, lĩnh vực, cơ quan hoặc mã thủ tục; có thể gõ không dấu.
search-button = Tìm kiếm
search-too-long = Từ khóa tìm kiếm quá dài: tối đa 200 ký tự.
error-summary-title = Có lỗi cần sửa

home-title = Tra cứu và thực hiện thủ tục hành chính
home-lead = Tìm đúng thủ tục, biết rõ cần giấy tờ gì, mất bao lâu, lệ phí bao nhiêu và nộp ở đâu.
home-popular = Thủ tục được thực hiện nhiều
home-fields = Lĩnh vực
home-agencies = Cơ quan thực hiện
home-stats = Kết quả giải quyết năm { $year }
stat-received = Hồ sơ đã tiếp nhận
stat-resolved = Hồ sơ đã giải quyết
stat-on-time = Giải quyết đúng hạn và trước hạn
stat-procedures = Thủ tục trong danh mục
home-all-procedures = Xem tất cả thủ tục

list-title = Danh mục thủ tục hành chính
list-results = { $total ->
    [0] Không tìm thấy thủ tục nào
   *[other] { $total } thủ tục
}
list-results-for = cho “{ $q }”
list-filters = Lọc kết quả
filter-field = Lĩnh vực
filter-agency = Cơ quan thực hiện
filter-level = Cấp thực hiện
filter-online = Dịch vụ công trực tuyến
filter-any = Tất cả
filter-apply = Áp dụng
filter-clear = Xóa bộ lọc
list-none-hint = Hãy thử từ khóa ngắn hơn, kiểm tra chính tả, hoặc bỏ bớt bộ lọc.
col-code = Mã
col-name = Tên thủ tục
col-field = Lĩnh vực
col-time = Thời hạn giải quyết
col-online = Trực tuyến
pagination-label = Phân trang
pagination-previous = Trang trước
pagination-next = Trang sau
pagination-page = Trang { $page } / { $pages }

online-full = Toàn trình
online-partial = Một phần
online-none = Trực tiếp

time-working-days = { $n } ngày làm việc
time-working-hours = { $n } giờ làm việc
time-calendar-days = { $n } ngày
time-none = Không quy định

procedure-code = Mã thủ tục
procedure-field = Lĩnh vực
procedure-level = Cấp thực hiện
procedure-agency = Cơ quan thực hiện
procedure-competent = Cơ quan có thẩm quyền
procedure-implementing = Cơ quan thực hiện (theo công bố)
procedure-decision = Quyết định công bố
procedure-online = Dịch vụ công trực tuyến
procedure-time = Thời hạn giải quyết
procedure-subjects = Đối tượng thực hiện
procedure-result = Kết quả thực hiện
procedure-conditions = Yêu cầu, điều kiện
procedure-methods = Cách thức thực hiện, thời hạn và phí, lệ phí
procedure-method = Cách thức
procedure-fee = Phí, lệ phí
procedure-documents = Thành phần hồ sơ
procedure-document = Tên giấy tờ
procedure-originals = Bản chính
procedure-copies = Bản sao
procedure-template = Mẫu đơn, tờ khai
procedure-template-download = Tải mẫu { $name }
procedure-no-template = Không có mẫu
procedure-legal = Căn cứ pháp lý
procedure-steps = Trình tự giải quyết
procedure-step = Bước
procedure-step-role = Người thực hiện
procedure-step-budget = Thời gian
procedure-step-hours = { $n } giờ làm việc
procedure-where = Nơi tiếp nhận hồ sơ
procedure-where-lead = Theo cơ chế không phụ thuộc địa giới hành chính, có thể nộp hồ sơ tại bất kỳ điểm tiếp nhận nào dưới đây.
procedure-apply = Nộp hồ sơ trực tuyến
procedure-apply-counter = Thủ tục này thực hiện trực tiếp tại điểm tiếp nhận hoặc qua dịch vụ bưu chính.
procedure-source = Nguồn dữ liệu
procedure-missing = Nguồn dữ liệu chưa có các thông tin: { $fields }.
procedure-not-found = Không tìm thấy thủ tục
procedure-not-found-lead = Không có thủ tục mang mã này trong danh mục.
procedure-bad-code = Mã thủ tục không hợp lệ

missing-name_en = tên tiếng Anh
missing-form_schema = biểu mẫu điện tử
missing-workflow = thời gian từng bước (quy trình được lập mặc định)
missing-processing_time = thời hạn giải quyết
missing-fees = mức phí, lệ phí cụ thể
missing-online_level = mức độ dịch vụ trực tuyến (toàn trình hay một phần)
missing-conditions = yêu cầu, điều kiện
missing-result = kết quả thực hiện
missing-target_subjects = đối tượng thực hiện
missing-decision = quyết định công bố
missing-documents = thành phần hồ sơ
missing-legal_basis = căn cứ pháp lý

role-specialist = Chuyên viên xử lý
role-approver = Lãnh đạo phê duyệt
role-reception = Bộ phận tiếp nhận
role-other = Cán bộ

apply-title = Nộp hồ sơ trực tuyến: { $name }
apply-lead = Chuẩn bị trước các giấy tờ dưới đây (bản điện tử PDF, JPG hoặc PNG). Hồ sơ nộp trực tuyến được Bộ phận Một cửa kiểm tra trước khi tiếp nhận; thời hạn giải quyết tính từ khi hồ sơ được tiếp nhận.
apply-prepare = Giấy tờ cần chuẩn bị
apply-time = Thời hạn giải quyết
apply-counter-instead = Hoặc nộp trực tiếp tại một điểm tiếp nhận

template-title = Mẫu: { $name }
template-note = Mẫu này do hệ thống lập từ danh mục thủ tục để in và điền tay. Mẫu chính thức theo công bố: { $file } — chưa có trong nguồn dữ liệu; khi cơ quan cập nhật tệp mẫu chính thức, tệp đó sẽ thay thế mẫu này.
template-applicant = Thông tin người nộp
template-name = Họ và tên
template-cccd = Số định danh cá nhân (CCCD)
template-address = Địa chỉ
template-phone = Số điện thoại
template-content = Nội dung đề nghị
template-date = ngày ..... tháng ..... năm ........
template-signature = Người đề nghị (ký, ghi rõ họ tên)

agencies-title = Cơ quan thực hiện thủ tục
agency-procedures = Thủ tục do cơ quan thực hiện
agency-parent = Cơ quan cấp trên
agency-units = Đơn vị trực thuộc
agency-kind-province = Ủy ban nhân dân tỉnh
agency-kind-centre = Trung tâm Phục vụ hành chính công
agency-kind-department = Sở, ban, ngành
agency-kind-commune = Ủy ban nhân dân cấp xã
agency-kind-vertical = Cơ quan ngành dọc
agency-kind-central = Cơ quan trung ương
agency-code = Mã định danh
agency-not-found = Không tìm thấy cơ quan

branches-title = Điểm tiếp nhận và trả kết quả
branch-address = Địa chỉ
branch-hours = Giờ làm việc
branch-counters = Quầy tiếp nhận
branch-any-procedure = Điểm tiếp nhận này nhận hồ sơ của mọi thủ tục trong danh mục, không phụ thuộc nơi cư trú của người nộp.
branch-not-found = Không tìm thấy điểm tiếp nhận

not-found-title = Không tìm thấy trang
not-found-lead = Địa chỉ này không có trên cổng. Hãy kiểm tra lại, hoặc tìm thủ tục từ trang chủ.
bad-request-title = Yêu cầu không hợp lệ

## Thanh toán
payment-dossier = Hồ sơ
payment-amount = Số tiền
payment-reference = Mã giao dịch
payment-merchant = Đơn vị nhận
payment-order = Nội dung
payment-back-to-dossier = Xem hồ sơ
payment-paid-title = Đã thanh toán phí, lệ phí
payment-paid-lead = Cổng thanh toán đã xác nhận khoản thanh toán. Hồ sơ sẽ được Bộ phận Một cửa tiếp nhận, xử lý.
payment-pending-title = Đang chờ xác nhận thanh toán
payment-pending-lead = Cổng thanh toán chưa gửi xác nhận. Hãy tải lại trang sau ít phút; không thanh toán lại.
payment-failed-title = Thanh toán không thành công
payment-failed-lead = Giao dịch bị hủy hoặc không thành công; chưa có khoản tiền nào được ghi nhận. Bạn có thể thanh toán lại từ trang hồ sơ.
payment-invalid-title = Kết quả thanh toán không hợp lệ
payment-invalid-lead = Thông tin trả về từ cổng thanh toán không đúng chữ ký nên không được chấp nhận. Trạng thái hồ sơ không thay đổi; hãy xem trang hồ sơ.
sandbox-tag = Môi trường thử nghiệm
sandbox-title = Cổng thanh toán thử nghiệm
sandbox-lead = Đây là cổng thanh toán giả lập theo giao thức VNPay để chạy thử toàn bộ quy trình. Không có tiền thật được chuyển.
sandbox-bank = Ngân hàng
sandbox-pay = Thanh toán
sandbox-cancel = Hủy giao dịch
sandbox-bad-title = Yêu cầu thanh toán không hợp lệ
sandbox-bad-lead = Chữ ký của yêu cầu thanh toán không đúng.
