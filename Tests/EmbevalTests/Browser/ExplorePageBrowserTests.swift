import Foundation
import Testing
@testable import Embeval

/// The explore page in a real browser: headless Chromium draws it (screenshot checked for points of every class
/// colour in the canvas area) and runs its `#selftest` hook (synthetic hover and click on point 0), whose results
/// come back through `--dump-dom`. Without Chromium these tests fail, pointing at scripts/bootstrap.
@Suite(.serialized) struct ExplorePageBrowserTests {
    /// The fixture page with point 0 given the hostile class name, written to a scratch folder.
    static func writePage(_ name: String, points: Int = 300) throws -> (URL, ExplorePage) {
        var page = explorePageFixture(points)
        page.labels[0] = 1   // maliciousLabel
        let dir = TestPaths.scratch(name)
        let url = dir.appendingPathComponent("explore.html")
        try page.html().write(to: url, atomically: true, encoding: .utf8)
        return (url, page)
    }

    @Test func screenshotShowsPointsOfEveryClass() throws {
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let (url, page) = try Self.writePage("screenshot")
        let shot = url.deletingLastPathComponent().appendingPathComponent("screenshot.png")
        let result = try HeadlessChromium.run(chromium, ["--screenshot=" + shot.path, url.absoluteString],
                                              workDirectory: url.deletingLastPathComponent())
        let bytes = try #require(FileManager.default.contents(atPath: shot.path),
                                 "no screenshot (exit \(result.status)): \(result.stderr.suffix(2000))")
        dumpForInspection("explore-screenshot.png", [UInt8](bytes))
        let image = try ImageDecoder.decode(bytes: [UInt8](bytes))
        #expect(image.width == 1200 && image.height == 800)

        // The canvas spans x < 1200 − 300 (aside) and y ≥ 49 (header). Points are drawn with opacity `alpha` over
        // white: a disc's inside has exactly that blend of its class colour.
        let alpha = ScatterPlot.markerStyle(count: page.count).alpha
        func blended(_ c: RGBColor) -> (Double, Double, Double) {
            (255 + (Double(c.r) - 255) * alpha, 255 + (Double(c.g) - 255) * alpha, 255 + (Double(c.b) - 255) * alpha)
        }
        let targets = (0..<4).map { blended(Palette.color($0)) }
        var hits = [Int](repeating: 0, count: 4), white = 0, total = 0
        for y in 52..<790 {
            for x in 2..<890 {
                let p = pixel(image, x, y)
                total += 1
                if p == .white { white += 1; continue }
                for (k, t) in targets.enumerated()
                where abs(Double(p.r) - t.0) <= 6 && abs(Double(p.g) - t.1) <= 6 && abs(Double(p.b) - t.2) <= 6 {
                    hits[k] += 1
                }
            }
        }
        for k in 0..<4 { #expect(hits[k] >= 50, "class \(k): \(hits[k]) pixels of its colour in the canvas") }
        #expect(white > total / 2, "background should be mostly white")
    }

    @Test func selfTestHoversAndClicksPointZero() throws {
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let (url, page) = try Self.writePage("selftest")
        let result = try HeadlessChromium.run(chromium, ["--dump-dom", url.absoluteString + "#selftest"],
                                              workDirectory: url.deletingLastPathComponent())
        let dom = result.stdout
        try #require(dom.contains("id=\"selftest\""), "no DOM dumped (exit \(result.status)): \(result.stderr.suffix(2000))")

        // The page's own report.
        let report = try #require(dom.firstMatch(of: #/<pre id="selftest"[^>]*data-result="(\w+)"[^>]*>([^<]*)</pre>/#),
                                  "self-test did not run: \(dom.suffix(1500))")
        let json = htmlUnescaped(String(report.output.2))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(report.output.1 == "passed", "self-test: \(json)")
        #expect(dom.contains("<title>selftest passed</title>"))
        #expect(summary["hovered"] as? Int == 0 && summary["selected"] as? Int == 0)
        #expect(summary["tooltipVisible"] as? Bool == true)
        let tooltip = try #require(summary["tooltipText"] as? String)
        #expect(tooltip.contains(maliciousLabel), "tooltip shows the label as text: \(tooltip)")
        #expect(tooltip.contains(page.ids[0]))
        #expect(summary["tooltipImage"] as? Bool == true)
        let expected = page.neighbours![0]
        #expect(summary["neighbourIndices"] as? [Int] == expected)
        #expect(summary["neighbourImages"] as? Int == expected.filter { $0 != 2 }.count)   // point 2 has no thumbnail
        for check in ["filterHides", "filterShows", "zoomed", "panned", "switchedTab"] {
            #expect(summary[check] as? Bool == true, "self-test check \(check)")
        }

        // The live DOM itself: the tooltip holds a data-URI thumbnail, the list holds k entries with thumbnails.
        let tooltipHTML = try #require(dom.firstMatch(of: #/<div id="tooltip"[^>]*>(.*?)</div>\s*<div id="hint">/#.dotMatchesNewlines()))
        #expect(tooltipHTML.output.1.contains("<img src=\"data:image/png;base64,"))
        let list = try #require(dom.firstMatch(of: #/<ol id="neighbours">(.*?)</ol>/#.dotMatchesNewlines()))
        #expect(list.output.1.components(separatedBy: "<li").count - 1 == expected.count)
        #expect(list.output.1.contains("<img src=\"data:image/png;base64,"))
        // The hostile strings stayed text: no element was injected.
        #expect(!dom.contains("<img src=\"x\"") && !dom.contains("<img src=x"))
        #expect(!dom.contains("<b>x</b>"))
        #expect(dom.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test func fiftyThousandPointsDrawInTime() throws {
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let (m, labels) = scatterPoints(50_000, seed: 4)
        let page = ExplorePage(title: "50k", maps: [("UMAP", m)], labels: labels, classNames: scatterClassNames,
                               neighbours: (0..<50_000).map { [($0 + 1) % 50_000, ($0 + 2) % 50_000] })
        let dir = TestPaths.scratch("fiftyk")
        let url = dir.appendingPathComponent("explore.html")
        try page.html().write(to: url, atomically: true, encoding: .utf8)
        let start = Date()
        let result = try HeadlessChromium.run(chromium, ["--dump-dom", url.absoluteString + "#selftest"], workDirectory: dir)
        let seconds = Date().timeIntervalSince(start)
        print("headless Chromium: 50,000-point page loaded, drawn and self-tested in \(String(format: "%.1f", seconds)) s")
        #expect(result.stdout.contains("data-result=\"passed\""), "\(result.stdout.suffix(800))")
    }
}
