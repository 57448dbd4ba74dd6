import Foundation

/// The frame every evaluation page (`--html`) shares: one self-contained HTML file with no script, styled to read
/// and print, every user string escaped. Pages assemble their sections from it.
enum ReportPage {
    static func document(title: String, sections: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(htmlEscaped(title))</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
        h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
        table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #eee}
        th{border-bottom:2px solid #bbb}td.num{text-align:right;font-variant-numeric:tabular-nums}
        table.fields td:first-child{color:#555}
        .note{color:#555;font-size:13px}.figure{display:block;margin:8px 0;max-width:100%;height:auto}
        .examples{display:flex;gap:6px;align-items:center}.examples img{width:48px;height:48px;object-fit:contain;image-rendering:pixelated;background:#f3f3f3}
        @media print{body{margin:0}h2{break-after:avoid}.figure{break-inside:avoid}}
        </style></head><body>
        <h1>\(htmlEscaped(title))</h1>

        """ + sections.joined(separator: "\n") + "\n</body></html>\n"
    }

    /// `Key  value` rows: the run's header.
    static func fields(_ pairs: [(String, String)]) -> String {
        "<table class=\"fields\">" + pairs.map { "<tr><td>\(htmlEscaped($0.0))</td><td>\(htmlEscaped($0.1))</td></tr>" }.joined() + "</table>"
    }

    /// A table; `numeric` columns are right-aligned.
    static func table(header: [String], rows: [[String]], numeric: Set<Int> = []) -> String {
        var out = "<table><tr>" + header.map { "<th>\(htmlEscaped($0))</th>" }.joined() + "</tr>"
        for row in rows {
            out += "<tr>" + row.enumerated().map { c, v in "<td\(numeric.contains(c) ? " class=\"num\"" : "")>\(htmlEscaped(v))</td>" }.joined() + "</tr>"
        }
        return out + "</table>"
    }

    static func section(_ heading: String, _ body: String) -> String { "<h2>\(htmlEscaped(heading))</h2>\n" + body }

    static func note(_ text: String) -> String { "<p class=\"note\">\(htmlEscaped(text))</p>" }

    static func image(_ png: [UInt8], alt: String) -> String {
        "<img alt=\"\(htmlEscaped(alt))\" src=\"data:image/png;base64,\(png.base64)\">"
    }
}
