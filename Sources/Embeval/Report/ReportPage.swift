import Foundation

/// The frame every evaluation page (`--html`) shares: one self-contained HTML file, styled to read and print, every
/// user string escaped; its one small script only adds instant tooltips. Pages assemble their sections from it.
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

        """ + sections.joined(separator: "\n") + "\n" + tooltip + "</body></html>\n"
    }

    /// The one script of a page, an enhancement only (the tables and figures read without it): hovering a mark with
    /// a `data-tip` shows its numbers at once, as text. `#selftest` hovers the first mark (if any) and writes what
    /// showed into `<pre id="selftest">` (for headless Chromium's `--dump-dom`).
    static let tooltip = #"""
    <div id="tip" hidden style="position:absolute;pointer-events:none;background:#fff;border:1px solid #999;border-radius:4px;padding:4px 7px;font-size:12px;box-shadow:0 2px 6px rgba(0,0,0,.2)"></div>
    <script>
    (function () {
      'use strict';
      var tip = document.getElementById('tip');
      function show(e) {
        var mark = e.target && e.target.closest ? e.target.closest('[data-tip]') : null;
        if (!mark) { tip.hidden = true; return; }
        tip.textContent = mark.getAttribute('data-tip');
        tip.hidden = false;
        tip.style.left = (e.pageX + 12) + 'px';
        tip.style.top = (e.pageY + 12) + 'px';
      }
      document.addEventListener('mouseover', show);
      document.addEventListener('mousemove', show);
      if (location.hash === '#selftest') {
        var marks = document.querySelectorAll('[data-tip]'), first = marks[0], result = { marks: marks.length, tip: null };
        if (first) {
          var r = first.getBoundingClientRect();
          first.dispatchEvent(new MouseEvent('mouseover', { bubbles: true, clientX: r.left + 1, clientY: r.top + 1 }));
          result.tip = tip.hidden ? null : tip.textContent;
          result.expected = first.getAttribute('data-tip');
        }
        var out = document.createElement('pre');
        out.id = 'selftest';
        out.setAttribute('data-result', !first || (result.tip !== null && result.tip === result.expected) ? 'passed' : 'failed');
        out.textContent = JSON.stringify(result);
        document.body.appendChild(out);
      }
    })();
    </script>

    """#

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

    /// Confused pairs listed, and samples shown per pair.
    static let pairCount = 10
    static let examplesPerPair = 4

    /// The sections every classification page shows: the confusion matrix (`of`: which predictions), the most
    /// confused pairs with `pairExamples` (per pair of `mostConfused(pairCount)`), per-class recall bars.
    static func classSections(_ matrix: ConfusionMatrix, names: [String], pairExamples: [[[UInt8]]], of: String) -> [String] {
        var sections = [String]()
        let figures = classFigures(matrix, names: names)
        let classes = matrix.classCount, shown = min(classes, ReportFigures.classLimit)
        let withSamples = (0..<classes).filter { matrix.support($0) > 0 }.count
        sections.append(section("Confusion matrix", figures[0].svg + note("Rows: true class; columns: predicted (\(of)); shade: the share of the row's samples. Classes are ordered so that those confused with each other sit together." + (shown < classes ? " The \(shown) classes with the most errors of \(classes) are shown." : "") + " Hover a cell for its counts.")))

        let pairs = matrix.mostConfused(pairCount)
        if !pairs.isEmpty {
            var table = "<table><tr><th>True class</th><th>Predicted as</th><th>Samples</th><th>Share of the class</th><th>Examples</th></tr>"
            for (i, pair) in pairs.enumerated() {
                let share = 100 * Double(pair.count) / Double(max(matrix.support(pair.truth), 1))
                let pictures = i < pairExamples.count ? pairExamples[i].map { image($0, alt: "\(names[pair.truth]) as \(names[pair.predicted])") }.joined() : ""
                table += "<tr><td>\(htmlEscaped(names[pair.truth]))</td><td>\(htmlEscaped(names[pair.predicted]))</td>"
                table += "<td class=\"num\">\(pair.count)</td><td class=\"num\">\(String(format: "%.1f %%", share))</td><td><div class=\"examples\">\(pictures)</div></td></tr>"
            }
            sections.append(section("Most confused pairs", table + "</table>"))
        }

        let bars = min(withSamples, ReportFigures.classLimit)
        sections.append(section("Per-class recall", figures[1].svg
            + note("Worst first" + (bars < withSamples ? " (the \(bars) lowest of \(withSamples) classes)" : "") + "; the line is the 95 % Wilson interval of each recall.")))
        return sections
    }

    /// The class figures of `classSections` as SVG: the confusion matrix (the classes it shows) and recall bars.
    static func classFigures(_ matrix: ConfusionMatrix, names: [String]) -> [(name: String, svg: String)] {
        let kept = mostErrors(matrix).prefix(ReportFigures.classLimit).sorted()
        let byRecall = (0..<matrix.classCount).filter { matrix.support($0) > 0 }
            .sorted { (matrix.recall($0)?.value ?? 0, $0) < (matrix.recall($1)?.value ?? 0, $1) }
        return [("confusion-matrix", ReportFigures.confusionHeatMap(matrix, classes: matrix.confusionOrder(of: kept), names: names)),
                ("per-class-recall", ReportFigures.recallBars(matrix, classes: Array(byRecall.prefix(ReportFigures.classLimit)), names: names))]
    }

    /// Thumbnails of a few samples of each of the most confused pairs (none without images).
    static func pairExamples(_ matrix: ConfusionMatrix, labels: [Int], predictions: [Int], ids: [String], images: Dataset?,
                             limits: ImageLimits) -> [[[UInt8]]] {
        guard let images else { return [] }
        let byID = images.samplesByID
        return matrix.mostConfused(pairCount).map { pair in
            let rows = labels.indices.filter { labels[$0] == pair.truth && predictions[$0] == pair.predicted }.prefix(examplesPerPair)
            return rows.compactMap { thumbnail(ids[$0], in: byID, limits: limits) }
        }
    }

    /// A PNG thumbnail of sample `id` (nil when there is none or it does not decode: the page shows it without).
    static func thumbnail(_ id: String, in samples: [String: Sample], size: Int = 48, limits: ImageLimits) -> [UInt8]? {
        guard let sample = samples[id], let picture = try? sample.loadImage(limits: limits) else { return nil }
        return try? ExplorePage.thumbnailPNG(picture, size: size)
    }

    /// The colour a verdict is shown in.
    static func color(of verdict: Verdict) -> String {
        switch verdict {
        case .pass: "#2e7d32"
        case .fail: "#c62828"
        case .inconclusive: "#ef8f00"
        }
    }

    /// The verdict, large, in its colour.
    static func verdictLine(_ verdict: Verdict) -> String {
        "<p style=\"font-size:20px;font-weight:700;color:\(color(of: verdict))\">Verdict: \(verdict.rawValue)</p>"
    }

    /// Classes by their errors (misclassified samples), most first.
    static func mostErrors(_ matrix: ConfusionMatrix) -> [Int] {
        (0..<matrix.classCount).sorted { a, b in
            let ea = matrix.support(a) - matrix[a, a], eb = matrix.support(b) - matrix[b, b]
            return (ea, -a) > (eb, -b)
        }
    }
}
