import Foundation
import Testing
@testable import Embeval

/// The large-map form of the explore page in headless Chromium: its points come from the sibling folder (the
/// threshold lowered to 100 points so a 300-point fixture uses it), it draws with the Canvas 2D raster renderer
/// (the default without a hardware GPU, as here) or WebGL (forced with `#webgl`: SwiftShader here), loads ids, neighbours and thumbnails lazily, and says so in the page when its folder is
/// missing or incomplete.
@Suite(.serialized) struct ExplorePageFolderBrowserTests {
    static func writeLargePage(_ name: String, points: Int = 300) throws -> (URL, ExplorePage) {
        var page = explorePageFixture(points)
        page.labels[0] = 1   // maliciousLabel
        let url = TestPaths.scratch(name).appendingPathComponent("explore.html")
        let folder = try page.write(to: url, inlineLimit: 100)
        #expect(folder?.lastPathComponent == "explore_files")
        return (url, page)
    }

    /// Console messages and uncaught exceptions in Chromium's log (`--enable-logging=stderr`; it logs every
    /// level, errors included, as `INFO:CONSOLE`). The page writes none, so any is a failure.
    static func consoleErrors(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }

    static func selfTest(_ url: URL, fragment: String = "selftest") throws -> (summary: [String: Any], passed: Bool, dom: String, stderr: String) {
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let result = try HeadlessChromium.run(chromium, ["--enable-logging=stderr", "--v=0", "--dump-dom", url.absoluteString + "#" + fragment],
                                              workDirectory: url.deletingLastPathComponent())
        let dom = result.stdout
        let report = try #require(dom.firstMatch(of: #/<pre id="selftest"[^>]*data-result="(\w+)"[^>]*>([^<]*)</pre>/#),
                                  "self-test did not finish (exit \(result.status)): \(dom.suffix(1500)) \(result.stderr.suffix(1500))")
        let json = htmlUnescaped(String(report.output.2))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (summary, report.output.1 == "passed", dom, result.stderr)
    }

    @Test func pageLoadsItsFolderLazilyWithoutConsoleErrors() throws {
        let (url, page) = try Self.writeLargePage("large-selftest")
        let html = try String(contentsOf: url, encoding: .utf8)
        // No inlined PNG (base64 "iVBOR…") and no coordinates: the points and thumbnails live in the folder.
        #expect(!html.contains("iVBOR") && !html.contains("\"xy\"") && html.utf8.count < 64_000)
        #expect(html.contains("<script src=\"explore_files/points.js\"></script>"))
        let (summary, passed, dom, stderr) = try Self.selfTest(url)
        #expect(passed, "self-test: \(summary)")
        #expect(summary["external"] as? Bool == true)
        // Without a hardware GPU (this machine) the raster renderer; with one, WebGL.
        #expect(["raster", "webgl"].contains(summary["renderer"] as? String ?? ""))
        #expect(summary["tooltipImage"] as? Bool == true, "the hovered point's thumbnail loaded from the folder")
        let tooltip = try #require(summary["tooltipText"] as? String)
        #expect(tooltip.contains(maliciousLabel) && tooltip.contains(page.ids[0]), "tooltip: \(tooltip)")
        let expected = page.neighbours![0]
        #expect(summary["neighbourIndices"] as? [Int] == expected)
        #expect(summary["neighbourImages"] as? Int == expected.filter { $0 != 2 }.count)   // point 2 has no thumbnail
        #expect(Self.consoleErrors(stderr).isEmpty, "console: \(Self.consoleErrors(stderr))")
        // The live DOM: thumbnails by file from the folder, never inlined; hostile strings stayed text.
        let tooltipHTML = try #require(dom.firstMatch(of: #/<div id="tooltip"[^>]*>(.*?)</div>\s*<div id="problem"/#.dotMatchesNewlines()))
        #expect(tooltipHTML.output.1.contains("src=\"explore_files/thumbs/0/0.png\""))
        #expect(!dom.contains("iVBOR"))
        #expect(!dom.contains("<img src=\"x\"") && !dom.contains("<b>x</b>"))
    }

    @Test(arguments: ["raster", "webgl"]) func eitherRendererPassesTheSelfTest(renderer: String) throws {
        let (url, _) = try Self.writeLargePage("large-\(renderer)")
        let (summary, passed, _, stderr) = try Self.selfTest(url, fragment: "selftest," + renderer)
        #expect(passed, "self-test: \(summary)")
        #expect(summary["renderer"] as? String == renderer)
        #expect(Self.consoleErrors(stderr).isEmpty, "console: \(Self.consoleErrors(stderr))")
    }

    /// Pixels of each class's colour (as drawn with opacity `alpha` over white) in the canvas area of a screenshot.
    static func classPixels(_ url: URL, fragment: String, page: ExplorePage) throws -> [Int] {
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let shot = url.deletingLastPathComponent().appendingPathComponent("screenshot-\(fragment).png")
        let result = try HeadlessChromium.run(chromium, ["--screenshot=" + shot.path, url.absoluteString + "#" + fragment],
                                              workDirectory: url.deletingLastPathComponent())
        let bytes = try #require(FileManager.default.contents(atPath: shot.path),
                                 "no screenshot (exit \(result.status)): \(result.stderr.suffix(2000))")
        dumpForInspection("explore-large-\(fragment).png", [UInt8](bytes))
        let image = try ImageDecoder.decode(bytes: [UInt8](bytes))
        let alpha = ScatterPlot.markerStyle(count: page.count).alpha
        let targets = (0..<4).map { k -> (Double, Double, Double) in
            let c = Palette.color(k)
            return (255 + (Double(c.r) - 255) * alpha, 255 + (Double(c.g) - 255) * alpha, 255 + (Double(c.b) - 255) * alpha)
        }
        var hits = [Int](repeating: 0, count: 4)
        for y in 52..<790 {
            for x in 2..<890 {
                let p = pixel(image, x, y)
                for (k, t) in targets.enumerated()
                where abs(Double(p.r) - t.0) <= 6 && abs(Double(p.g) - t.1) <= 6 && abs(Double(p.b) - t.2) <= 6 {
                    hits[k] += 1
                }
            }
        }
        return hits
    }

    @Test(arguments: ["raster", "webgl"]) func bothRenderersDrawEveryClass(renderer: String) throws {
        let (url, page) = try Self.writeLargePage("large-shot-\(renderer)")
        let hits = try Self.classPixels(url, fragment: renderer, page: page)
        for k in 0..<4 { #expect(hits[k] >= 50, "\(renderer): class \(k) has \(hits[k]) pixels of its colour") }
    }

    @Test func missingFolderIsSaidInThePage() throws {
        let (url, _) = try Self.writeLargePage("large-missing")
        try FileManager.default.removeItem(at: url.deletingLastPathComponent().appendingPathComponent("explore_files"))
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let result = try HeadlessChromium.run(chromium, ["--dump-dom", url.absoluteString], workDirectory: url.deletingLastPathComponent())
        let box = try #require(result.stdout.firstMatch(of: #/<div id="problem" role="alert">([^<]*)</div>/#),
                               "no visible problem message: \(result.stdout.suffix(1500))")
        let text = htmlUnescaped(String(box.output.1))
        #expect(text.contains("“explore_files”") && text.contains("missing or incomplete") && text.contains("points.js did not load"), "\(text)")
        #expect(result.stdout.contains("data folder missing or incomplete"))
    }

    @Test func incompleteFolderIsSaidInThePage() throws {
        let (url, _) = try Self.writeLargePage("large-incomplete")
        try FileManager.default.removeItem(at: url.deletingLastPathComponent().appendingPathComponent("explore_files/neighbours-0.js"))
        let (summary, passed, dom, _) = try Self.selfTest(url)
        #expect(!passed)
        let problem = try #require(summary["problem"] as? String, "\(summary)")
        #expect(problem.contains("incomplete") && problem.contains("neighbours-0.js did not load"), "\(problem)")
        #expect(dom.contains("<div id=\"problem\" role=\"alert\">"))
    }

    @Test func folderOfAnotherPageIsRefused() throws {
        let (url, _) = try Self.writeLargePage("large-mixed")
        // Another page's folder written over this one's: its token differs.
        var other = explorePageFixture(300)
        other.title = "another"
        other.labels[5] = 3
        let elsewhere = TestPaths.scratch("large-mixed-other").appendingPathComponent("explore.html")
        try other.write(to: elsewhere, inlineLimit: 100)
        let mine = url.deletingLastPathComponent().appendingPathComponent("explore_files")
        try FileManager.default.removeItem(at: mine)
        try FileManager.default.copyItem(at: elsewhere.deletingLastPathComponent().appendingPathComponent("explore_files"), to: mine)
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let result = try HeadlessChromium.run(chromium, ["--dump-dom", url.absoluteString], workDirectory: url.deletingLastPathComponent())
        let box = try #require(result.stdout.firstMatch(of: #/<div id="problem" role="alert">([^<]*)</div>/#), "\(result.stdout.suffix(800))")
        #expect(htmlUnescaped(String(box.output.1)).contains("another page’s points"))
    }
}
