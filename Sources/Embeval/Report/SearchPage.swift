import Foundation

/// `embeval search --html`: one self-contained page with a row per query — the query (its thumbnail, or the text)
/// and its hits, each with a thumbnail, score, id and class. Plain HTML and CSS (no script): readable without
/// JavaScript, printable; every id, path and text escaped. Thumbnails are inline PNG for the first
/// `thumbnailQueries` queries; later rows list their hits without pictures, and the page says so.
public struct SearchPage: Sendable {
    public var report: SearchReport
    /// Per result, the query image's thumbnail (nil for texts, rows, or an image that did not decode).
    public var queryThumbnails: [[UInt8]?]
    /// Thumbnails of the hits, by id; ids missing here are shown without one.
    public var hitThumbnails: [String: [UInt8]]
    /// Why the hits have no thumbnails although images were given: they are not the index's (a hit's class differs).
    public var imagesMismatch: String?

    /// Longest side of a thumbnail, pixels.
    public static let thumbnailSize = 96
    /// Queries whose row carries pictures (each costs about k thumbnails of a few KB).
    public static let thumbnailQueries = 200

    public init(report: SearchReport, queryThumbnails: [[UInt8]?] = [], hitThumbnails: [String: [UInt8]] = [:]) {
        self.report = report
        self.queryThumbnails = queryThumbnails
        self.hitThumbnails = hitThumbnails
    }

    /// Thumbnails for the page: the query files' own, and the hits' from `images` (the dataset the index was made
    /// of, matched by id). What cannot be read is left without a picture; the page is still written.
    public static func make(report: SearchReport, queryFiles: [URL]?, images: Dataset?, limits: ImageLimits = ImageLimits()) -> SearchPage {
        let shown = report.results.prefix(thumbnailQueries)
        let queries: [[UInt8]?] = queryFiles.map { files in
            Parallel.map(min(files.count, shown.count)) { i in
                guard let image = try? ImageDecoder.decode(fileAt: files[i].path, limits: limits) else { return nil }
                return try? ExplorePage.thumbnailPNG(image, size: thumbnailSize)
            }
        } ?? []
        var hits = [String: [UInt8]]()
        let mismatch = images?.classDisagreement(shown.lazy.flatMap(\.hits).compactMap { hit in hit.label.map { (hit.id, $0) } })
        if let images, mismatch == nil {
            let byID = images.samplesByID
            var wanted = [String](), seen = Set<String>()
            for result in shown { for hit in result.hits where byID[hit.id] != nil && seen.insert(hit.id).inserted { wanted.append(hit.id) } }
            let made = Parallel.map(wanted.count) { ReportPage.thumbnail(wanted[$0], in: byID, size: thumbnailSize, limits: limits) }
            for (id, png) in zip(wanted, made) { if let png { hits[id] = png } }
        }
        var page = SearchPage(report: report, queryThumbnails: queries, hitThumbnails: hits)
        page.imagesMismatch = mismatch
        return page
    }

    public func html() -> String {
        let r = report
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Embeval search</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
        table.meta td{padding:1px 12px 1px 0}
        .query{margin:18px 0;padding-top:10px;border-top:1px solid #ddd;break-inside:avoid}
        .row{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
        figure{margin:0;width:\(Self.thumbnailSize + 8)px;font-size:11px;overflow-wrap:anywhere}
        figure img,.none{width:\(Self.thumbnailSize)px;height:\(Self.thumbnailSize)px;object-fit:contain;background:#f3f3f3;display:block}
        .none{display:flex;align-items:center;justify-content:center;color:#999}
        .q{border-right:2px solid #888;padding-right:10px}
        .score{font-weight:600}
        .text{max-width:240px;font-size:13px;font-style:italic}
        </style></head><body>
        <h1>Search</h1>
        <table class="meta">
        """
        var meta: [(String, String)] = [("Index", r.index.path), ("Rows", "\(r.index.rows) × \(r.index.dimension)")]
        if let pooling = r.index.pooling { meta.append(("Pooling", pooling)) }
        if let model = r.index.model { meta.append(("Made by", model)) }
        if let dataset = r.index.dataset { meta.append(("Dataset", dataset + (r.index.split.map { " (\($0))" } ?? ""))) }
        meta.append(("Queries", "\(r.results.count) (\(r.queryKind)), top \(r.k) by cosine"))
        meta.append(("Search", String(format: "%.3f ms per query", r.millisecondsPerQuery)))
        for (key, value) in meta { out += "<tr><td>\(htmlEscaped(key))</td><td>\(htmlEscaped(value))</td></tr>\n" }
        out += "</table>\n"
        if r.results.count > Self.thumbnailQueries {
            out += "<p>Pictures for the first \(Self.thumbnailQueries) queries; the other \(r.results.count - Self.thumbnailQueries) list their hits only.</p>\n"
        }
        if let imagesMismatch {
            out += "<p>No pictures of the hits: the images given are not the images the index was made of (\(htmlEscaped(imagesMismatch))).</p>\n"
        }
        for (q, result) in r.results.enumerated() {
            let pictures = q < Self.thumbnailQueries
            out += "<div class=\"query\"><div class=\"row\">"
            if r.queryKind == "text" {
                out += "<figure class=\"q\"><div class=\"text\">“\(htmlEscaped(result.query))”</div></figure>"
            } else {
                let png = q < queryThumbnails.count ? queryThumbnails[q] : nil
                out += "<figure class=\"q\">" + picture(pictures ? png : nil, alt: result.query)
                    + "<figcaption>query<br>\(htmlEscaped(result.query))</figcaption></figure>"
            }
            for hit in result.hits {
                out += "<figure>" + picture(pictures ? hitThumbnails[hit.id] : nil, alt: hit.id)
                out += "<figcaption><span class=\"score\">\(hit.rank). \(String(format: "%.4f", hit.score))</span><br>\(htmlEscaped(hit.id))"
                if let label = hit.label { out += "<br>\(htmlEscaped(label))" }
                out += "</figcaption></figure>"
            }
            out += "</div></div>\n"
        }
        out += "<p>Timings: \(htmlEscaped(r.timings.text))</p>\n</body></html>\n"
        return out
    }

    private func picture(_ png: [UInt8]?, alt: String) -> String {
        guard let png else { return "<div class=\"none\">no image</div>" }
        return "<img alt=\"\(htmlEscaped(alt))\" src=\"data:image/png;base64,\(png.base64)\">"
    }

    /// Writes the page whole (a temporary file beside it, then renamed).
    public func write(to path: String) throws {
        try OutputFile(path).write(html())
    }
}
