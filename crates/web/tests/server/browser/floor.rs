//! The floor: kiosk tickets called on a live board.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_ticket_is_called_on_a_live_board() {
    use motcua_domain::role::Role;
    use motcua_store::{ServiceGroup, User};

    let Some(tools) = Tools::find() else { return };
    let db = TestDb::sqlite().await;
    let store = db.store().await;
    let (base, _) = spawn(store.clone()).await;
    store
        .put_service_group(&ServiceGroup {
            branch: "QN-HQ".into(),
            code: "HT".into(),
            name: "Tư pháp – Hộ tịch".into(),
            prefix: "A".into(),
            counters: vec![1],
        })
        .await
        .unwrap();
    store
        .put_user(&User {
            username: "letan".into(),
            full_name: "Lễ tân".into(),
            role: Role::Reception,
            agency: Some(code("000.00.01.H22")),
            password_hash: motcua_app::secrets::hash_password("pw-letan").unwrap(),
            active: true,
        })
        .await
        .unwrap();
    let b = Browser::start(&tools, "vi").await;
    let c = &b.client;

    // The kiosk: one large button per group, a printable ticket. Opened on any browser it
    // offers ordinary tickets only; an administrator registers the device with its key, and
    // then it offers priority and check-in.
    let device_key = motcua_app::secrets::new_secret("mck_");
    store
        .put_api_key(&motcua_store::ApiKey {
            name: "Kiosk sảnh 1".into(),
            agency: code("000.00.01.H22"),
            scopes: vec![motcua_store::Scope::Kiosk],
            key_hash: motcua_app::secrets::sha256_hex(&device_key),
            revoked: false,
        })
        .await
        .unwrap();
    c.goto(&format!("{base}/branches/QN-HQ")).await.unwrap();
    click(&b, "#kiosk-link").await;
    expect(&b, "h1", "Lấy số thứ tự").await;
    expect(&b, "#kiosk-web", "máy lấy số").await;
    axe_clean(&b, &tools, "kiosk on the web").await;
    click(&b, "#kiosk-HT").await;
    expect(&b, "#ticket-number", "A001").await;
    expect(&b, "#ticket-ahead", "0").await;
    axe_clean(&b, &tools, "ticket").await;
    click(&b, "main p.no-print a").await;
    click(&b, ".kiosk-device summary").await;
    fill(&b, "#f-device-key", "mck_wrong").await;
    click(&b, "#kiosk-device-register").await;
    expect(&b, "#device-error", "Khóa không đúng").await;
    fill(&b, "#f-device-key", &device_key).await;
    click(&b, "#kiosk-device-register").await;
    expect(&b, "#check-in-title", "lịch hẹn").await;
    axe_clean(&b, &tools, "kiosk").await;
    choose(&b, "#f-priority-HT", "elderly").await;
    click(&b, "#kiosk-HT").await;
    expect(&b, "#ticket-number", "A002").await;
    expect(&b, "main", "Người cao tuổi").await;

    // The board, open before the calls, shows them as they happen, without reloading.
    c.goto(&format!("{base}/branches/QN-HQ/board"))
        .await
        .unwrap();
    expect(&b, "h1", "Bảng gọi số").await;
    axe_clean(&b, &tools, "board").await;
    let marker: Value = c
        .execute("window.__same_page = true; return true", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(true));
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "letan", "password": "pw-letan"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let call = || {
        http.post(format!("{base}/api/v1/counters/QN-HQ-01/call-next"))
            .bearer_auth(&token)
            .send()
    };
    let first: Value = call().await.unwrap().json().await.unwrap();
    assert_eq!(first["number"], "A002", "the priority ticket first");
    expect(&b, "#board-calls", "A002").await;
    // Counters by their names, the time on the board, and no way off the floor's screens.
    expect(&b, "#board-calls", "Quầy").await;
    expect(&b, "#board-clock", ":").await;
    let away: Value = c
        .execute(
            "return document.querySelectorAll('a[href=\"/account\"], a[href=\"/staff\"]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(away, json!(0), "the board leads nowhere else");
    call().await.unwrap();
    let rows = expect(&b, "#board-calls", "A001").await;
    assert!(
        rows.find("A001") < rows.find("A002"),
        "newest on top: {rows}"
    );
    let same: Value = c
        .execute("return window.__same_page === true", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!(true), "the board did not reload");
    // Its waiting line followed the calls too.
    expect(&b, "#waiting-HT", "0").await;

    // The counter's tablet shows the officer and asks the applicant being served (A001); a
    // summary page open elsewhere shows the rating as soon as it is given, without reloading.
    let summary = Browser::start(&tools, "vi").await;
    summary
        .client
        .goto(&format!("{base}/satisfaction"))
        .await
        .unwrap();
    expect(&summary, "h1", "Mức độ hài lòng").await;
    axe_clean(&summary, &tools, "satisfaction summary").await;
    let before = text(&summary, "#summary-officer").await;
    assert!(!before.contains("Lễ tân"), "{before}");
    summary
        .client
        .execute("window.__same_page = true; return true", vec![])
        .await
        .unwrap();
    staff_login(&b, &base, "letan").await;
    c.goto(&format!("{base}/staff/counters/QN-HQ-01/tablet"))
        .await
        .unwrap();
    expect(&b, "#tablet-officer", "Lễ tân").await;
    expect(&b, "#tablet-ticket", "A001").await;
    axe_clean(&b, &tools, "rating tablet").await;
    click(&b, "input[name=attitude][value='2']").await;
    click(&b, "#rate-very_satisfied").await;
    expect(&b, "#tablet-notice", "Cảm ơn").await;
    let row = expect(&summary, "#summary-officer", "Lễ tân").await;
    assert!(row.contains("100"), "one very satisfied rating: {row}");
    expect(&summary, "#summary-counter", "Quầy").await;
    let same: Value = summary
        .client
        .execute("return window.__same_page === true", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!(true), "the summary did not reload");
    summary.close().await;

    // Booking from home: a group, a free slot, a name and a phone; the code to type.
    c.goto(&format!("{base}/branches/QN-HQ")).await.unwrap();
    click(&b, "#booking-link").await;
    expect(&b, "h1", "Đặt lịch hẹn").await;
    axe_clean(&b, &tools, "booking").await;
    fill(&b, "#f-name", "Trần Văn Bình").await;
    fill(&b, "#f-phone", "0912 345 678").await;
    click(&b, "#booking-submit").await;
    expect(&b, "#booking-error", "khung giờ").await;
    click(&b, "fieldset.slots input[type=radio]:not([disabled])").await;
    click(&b, "#booking-submit").await;
    let booked = expect(&b, "#booked-code", "").await;
    assert_eq!(booked.trim().len(), 8, "{booked}");
    axe_clean(&b, &tools, "booking confirmation").await;

    // Checking in at the kiosk: an appointment starting in ten minutes gets its ticket.
    store
        .book_appointment(
            &motcua_store::Appointment {
                code: "13572468".into(),
                branch: "QN-HQ".into(),
                group: "HT".into(),
                slot_at: chrono::Utc::now() + chrono::Duration::minutes(10),
                minutes: 30,
                name: "Đỗ Thị Hoa".into(),
                phone: "0912000111".into(),
                status: motcua_store::AppointmentStatus::Booked,
                created_at: chrono::Utc::now(),
                ticket_id: None,
            },
            4,
        )
        .await
        .unwrap();
    c.goto(&format!("{base}/branches/QN-HQ/kiosk"))
        .await
        .unwrap();
    // Signing in as an officer above cleared this browser's cookies: the kiosk is
    // registered again.
    click(&b, ".kiosk-device summary").await;
    fill(&b, "#f-device-key", &device_key).await;
    click(&b, "#kiosk-device-register").await;
    fill(&b, "#f-appointment", "99999999").await;
    click(&b, "#kiosk-check-in").await;
    expect(&b, "#check-in-error", "Không có lịch hẹn").await;
    fill(&b, "#f-appointment", "13572468").await;
    click(&b, "#kiosk-check-in").await;
    expect(&b, "#ticket-number", "A003").await;
    expect(&b, "main", "Giờ hẹn").await;
    b.close().await;
    db.drop_db().await;
}
