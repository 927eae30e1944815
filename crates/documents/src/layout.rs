//! A small page layout for form-like slips: a cursor that moves down the page, lines wrapped
//! by measured width (shaped with rustybuzz on the same font krilla embeds), new pages when
//! the text runs over, and the drawing done at the end.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};
use qrcode::{Color, EcLevel, QrCode};

use crate::DocumentError;

static REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");

/// A5 portrait in points.
const A5: (f32, f32) = (419.53, 595.28);
/// A4 landscape in points.
const A4_LANDSCAPE: (f32, f32) = (841.89, 595.28);
const MARGIN: f32 = 34.0;
const BODY: f32 = 9.5;
const LEADING: f32 = 1.35;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// How a table sets its cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableStyle {
    /// Columns from this one on hold numbers, set right (not in the header).
    pub numeric_from: usize,
    /// The last row is a total, in bold.
    pub bold_last: bool,
}

impl Default for TableStyle {
    fn default() -> Self {
        TableStyle {
            numeric_from: usize::MAX,
            bold_last: false,
        }
    }
}

pub(crate) struct Sheet {
    /// The page's width and height in points.
    page: (f32, f32),
    pages: Vec<Vec<Op>>,
    y: f32,
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

impl Sheet {
    pub(crate) fn a5() -> Result<Sheet, DocumentError> {
        Sheet::new(A5)
    }

    /// For tables of many columns, such as report forms.
    pub(crate) fn a4_landscape() -> Result<Sheet, DocumentError> {
        Sheet::new(A4_LANDSCAPE)
    }

    fn new(page: (f32, f32)) -> Result<Sheet, DocumentError> {
        let face = |data: &'static [u8]| {
            rustybuzz::Face::from_slice(data, 0)
                .ok_or_else(|| DocumentError::Pdf("the embedded font does not load".into()))
        };
        Ok(Sheet {
            page,
            pages: vec![Vec::new()],
            y: MARGIN,
            regular: face(REGULAR)?,
            bold: face(BOLD)?,
        })
    }

    /// Width of a line of text in points.
    pub(crate) fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(face, &[], buffer);
        let advance: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        advance as f32 * size / face.units_per_em() as f32
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Makes room for `height` points, starting a new page when needed.
    fn room(&mut self, height: f32) {
        if self.y + height > self.page.1 - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn put(&mut self, x: f32, size: f32, weight: Weight, text: &str) {
        let y = self.y + size;
        self.ops().push(Op::Text {
            x,
            y,
            size,
            weight,
            text: text.to_string(),
        });
    }

    pub(crate) fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// Breaks text into lines no wider than `width`.
    fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, weight) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn block(&mut self, x: f32, text: &str, size: f32, weight: Weight) {
        let width = self.page.0 - MARGIN - x;
        for line in self.wrap(text, size, weight, width) {
            self.room(size * LEADING);
            self.put(x, size, weight, &line);
            self.y += size * LEADING;
        }
    }

    pub(crate) fn paragraph(&mut self, text: &str, weight: Weight) {
        self.block(MARGIN, text, BODY, weight);
        self.y += 2.0;
    }

    /// A small line of explanation.
    pub(crate) fn note(&mut self, text: &str) {
        self.block(MARGIN, text, 7.5, Weight::Regular);
    }

    /// The form's number and its source at the top right, as report forms carry them.
    pub(crate) fn form_corner(&mut self, number: &str, source: &str) {
        for (text, weight) in [(number, Weight::Bold), (source, Weight::Regular)] {
            let w = self.width(text, 7.5, weight);
            self.put(self.page.0 - MARGIN - w, 7.5, weight, text);
            self.y += 7.5 * LEADING;
        }
        self.y += 4.0;
    }

    pub(crate) fn indented(&mut self, text: &str) {
        self.block(MARGIN + 12.0, text, BODY, Weight::Regular);
    }

    /// "Label: value", the label in bold on the first line.
    pub(crate) fn field(&mut self, label: &str, value: &str) {
        let head = format!("{label}: ");
        let head_width = self.width(&head, BODY, Weight::Bold);
        let lines = self.wrap(
            value,
            BODY,
            Weight::Regular,
            self.page.0 - 2.0 * MARGIN - head_width,
        );
        self.room(BODY * LEADING);
        self.put(MARGIN, BODY, Weight::Bold, head.trim_end());
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.room(BODY * LEADING);
            }
            self.put(MARGIN + head_width, BODY, Weight::Regular, line);
            self.y += BODY * LEADING;
        }
        if lines.is_empty() {
            self.y += BODY * LEADING;
        }
        self.y += 1.0;
    }

    pub(crate) fn centered(&mut self, text: &str, size: f32, weight: Weight) {
        for line in self.wrap(text, size, weight, self.page.0 - 2.0 * MARGIN) {
            self.room(size * LEADING);
            let w = self.width(&line, size, weight);
            self.put((self.page.0 - w) / 2.0, size, weight, &line);
            self.y += size * LEADING;
        }
    }

    fn centered_in(&mut self, left: f32, width: f32, text: &str, size: f32, weight: Weight) {
        let w = self.width(text, size, weight);
        self.put(left + (width - w).max(0.0) / 2.0, size, weight, text);
    }

    /// The two-column heading of Vietnamese administrative documents: issuing body and number
    /// on the left, national motto, place and date on the right, both in capitals where the
    /// form wants them. A name too long for its column wraps inside it, never into the other.
    pub(crate) fn letterhead(
        &mut self,
        authority: &str,
        office: &str,
        number: &str,
        place_date: &str,
    ) {
        let col = (self.page.0 - 2.0 * MARGIN) / 2.0;
        let (left, right) = (MARGIN, MARGIN + col);
        let top = self.y;
        let (authority, office) = (authority.to_uppercase(), office.to_uppercase());
        let left_end = self.column(
            left,
            top,
            &[
                (authority.as_str(), 7.5, Weight::Regular),
                (office.as_str(), 7.5, Weight::Bold),
            ],
        );
        let right_end = self.column(
            right,
            top,
            &[
                ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 7.5, Weight::Bold),
                ("Độc lập - Tự do - Hạnh phúc", 8.0, Weight::Bold),
            ],
        );
        let rule_y = left_end.max(right_end) + 2.0;
        let w = 60.0;
        self.ops().push(Op::Rect {
            x: left + (col - w) / 2.0,
            y: rule_y,
            w,
            h: 0.6,
        });
        self.ops().push(Op::Rect {
            x: right + (col - 90.0) / 2.0,
            y: rule_y,
            w: 90.0,
            h: 0.6,
        });
        let below = rule_y + 6.0;
        let number = format!("Số: {number}");
        let left_end = self.column(left, below, &[(number.as_str(), 7.5, Weight::Regular)]);
        let right_end = self.column(right, below, &[(place_date, 7.5, Weight::Regular)]);
        self.y = (top + 44.0).max(left_end.max(right_end) + 4.0);
    }

    /// Lines of a letterhead column (half the text width, from `x`) centred from `y`, each
    /// part wrapped inside the column: where the column ends.
    fn column(&mut self, x: f32, y: f32, parts: &[(&str, f32, Weight)]) -> f32 {
        let col = (self.page.0 - 2.0 * MARGIN) / 2.0;
        let mut y = y;
        for (text, size, weight) in parts {
            for line in self.wrap(text, *size, *weight, col - 8.0) {
                self.y = y;
                self.centered_in(x, col, &line, *size, *weight);
                y += 10.0;
            }
        }
        y
    }

    /// A QR code at the left margin with a caption beside it.
    pub(crate) fn qr_with_caption(
        &mut self,
        data: &str,
        caption: &str,
    ) -> Result<(), DocumentError> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
            .map_err(|e| DocumentError::Qr(e.to_string()))?;
        let n = code.width();
        let size = 72.0_f32;
        let module = size / (n as f32 + 8.0);
        self.room(size);
        let (x0, y0) = (MARGIN, self.y);
        let colors = code.to_colors();
        let mut cells = Vec::new();
        for (i, c) in colors.iter().enumerate() {
            if *c == Color::Dark {
                let (cx, cy) = ((i % n) as f32 + 4.0, (i / n) as f32 + 4.0);
                cells.push(Op::Rect {
                    x: x0 + cx * module,
                    y: y0 + cy * module,
                    w: module,
                    h: module,
                });
            }
        }
        self.ops().extend(cells);
        let text_x = MARGIN + size + 8.0;
        let lines = self.wrap(caption, 8.0, Weight::Regular, self.page.0 - MARGIN - text_x);
        let mut y = y0 + (size - lines.len() as f32 * 11.0) / 2.0;
        for line in lines {
            self.ops().push(Op::Text {
                x: text_x,
                y: y + 8.0,
                size: 8.0,
                weight: Weight::Regular,
                text: line,
            });
            y += 11.0;
        }
        self.y = y0 + size + 4.0;
        Ok(())
    }

    /// A table with a bold header row; cells wrap within their column (widths are fractions
    /// of the text width); rows move to a new page whole, with the header repeated.
    pub(crate) fn table(&mut self, headers: &[&str], widths: &[f32], rows: &[Vec<String>]) {
        self.table_styled(headers, widths, rows, TableStyle::default());
    }

    /// [`Sheet::table`] with numbers set right and a total in bold.
    pub(crate) fn table_styled(
        &mut self,
        headers: &[&str],
        widths: &[f32],
        rows: &[Vec<String>],
        style: TableStyle,
    ) {
        let total = self.page.0 - 2.0 * MARGIN;
        let size = 7.5;
        let line = size * LEADING;
        let cols: Vec<(f32, f32)> = widths
            .iter()
            .scan(MARGIN, |x, w| {
                let col = (*x, w * total);
                *x += w * total;
                Some(col)
            })
            .collect();
        let draw_row = |sheet: &mut Sheet, cells: &[String], weight: Weight| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&cols)
                .map(|(c, (_, w))| sheet.wrap(c, size, weight, w - 6.0))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * line + 4.0;
            (wrapped, height)
        };
        let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let (head_cells, head_height) = draw_row(self, &header, Weight::Bold);
        let put_row = |sheet: &mut Sheet,
                       wrapped: &[Vec<String>],
                       height: f32,
                       weight: Weight,
                       header: bool| {
            let top = sheet.y;
            for (c, ((x, w), lines)) in cols.iter().zip(wrapped).enumerate() {
                for (i, l) in lines.iter().enumerate() {
                    let right = c >= style.numeric_from && !header;
                    let x = if right {
                        x + w - 3.0 - sheet.width(l, size, weight)
                    } else {
                        x + 3.0
                    };
                    sheet.ops().push(Op::Text {
                        x,
                        y: top + 2.0 + size + i as f32 * line,
                        size,
                        weight,
                        text: l.clone(),
                    });
                }
                // Cell borders: left and top, plus the bottom.
                sheet.ops().push(Op::Rect {
                    x: *x,
                    y: top,
                    w: 0.5,
                    h: height,
                });
                sheet.ops().push(Op::Rect {
                    x: *x,
                    y: top,
                    w: *w,
                    h: 0.5,
                });
                sheet.ops().push(Op::Rect {
                    x: *x,
                    y: top + height,
                    w: *w,
                    h: 0.5,
                });
            }
            sheet.ops().push(Op::Rect {
                x: MARGIN + total,
                y: top,
                w: 0.5,
                h: height,
            });
            sheet.y = top + height;
        };
        self.room(head_height);
        put_row(self, &head_cells, head_height, Weight::Bold, true);
        for (i, row) in rows.iter().enumerate() {
            let weight = if style.bold_last && i + 1 == rows.len() {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let (cells, height) = draw_row(self, row, weight);
            if self.y + height > self.page.1 - MARGIN {
                self.room(self.page.1);
                put_row(self, &head_cells, head_height, Weight::Bold, true);
            }
            put_row(self, &cells, height, weight, false);
        }
        self.y += 6.0;
    }

    /// Two signature blocks side by side.
    pub(crate) fn signatures(&mut self, left: &str, right: &str, right_name: Option<&str>) {
        self.room(80.0);
        let col = (self.page.0 - 2.0 * MARGIN) / 2.0;
        self.centered_in(MARGIN, col, left, 8.5, Weight::Bold);
        self.centered_in(MARGIN + col, col, right, 8.5, Weight::Bold);
        self.y += 11.0;
        let hint = "(Ký và ghi rõ họ tên)";
        self.centered_in(MARGIN, col, hint, 7.5, Weight::Regular);
        self.centered_in(MARGIN + col, col, hint, 7.5, Weight::Regular);
        self.y += 48.0;
        if let Some(name) = right_name {
            self.centered_in(MARGIN + col, col, name, 8.5, Weight::Bold);
        }
        self.y += 12.0;
    }

    /// Draws every page and writes the PDF.
    pub(crate) fn finish(self) -> Result<Vec<u8>, DocumentError> {
        let regular = Font::new(REGULAR.to_vec().into(), 0)
            .ok_or_else(|| DocumentError::Pdf("font".into()))?;
        let bold =
            Font::new(BOLD.to_vec().into(), 0).ok_or_else(|| DocumentError::Pdf("font".into()))?;
        let mut document = Document::new();
        for ops in self.pages.iter().filter(|p| !p.is_empty()) {
            let settings = PageSettings::from_wh(self.page.0, self.page.1)
                .ok_or_else(|| DocumentError::Pdf("page size".into()))?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(0, 0, 0).into(),
                opacity: NormalizedF32::ONE,
                rule: FillRule::NonZero,
            }));
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        weight,
                        text,
                    } => {
                        let font = match weight {
                            Weight::Regular => regular.clone(),
                            Weight::Bold => bold.clone(),
                        };
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font,
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Rect { x, y, w, h } => {
                        let mut pb = PathBuilder::new();
                        if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                            pb.push_rect(r);
                        }
                        if let Some(path) = pb.finish() {
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|e| DocumentError::Pdf(format!("{e:?}")))
    }
}
