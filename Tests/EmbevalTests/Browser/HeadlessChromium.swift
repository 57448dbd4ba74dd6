import Foundation

/// Drives the machine's headless Chromium for the explore page's browser tests.
///
/// The binary is `$EMBEVAL_CHROMIUM` if set, else the first of chromium, chromium-browser, google-chrome,
/// google-chrome-stable on PATH. On Debian it comes from the `chromium` package (`scripts/bootstrap`).
enum HeadlessChromium {
    static let missingMessage = "headless Chromium not found (looked for $EMBEVAL_CHROMIUM, chromium, chromium-browser, "
        + "google-chrome on PATH): run scripts/bootstrap, which installs the Debian package 'chromium'"

    static func binary() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["EMBEVAL_CHROMIUM"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        let dirs = (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for dir in dirs {
                let path = dir + "/" + name
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs Chromium headless at 1200×800 with a throw-away profile in `workDirectory`, plus `arguments`;
    /// kills it after `timeout` seconds. WebGL runs on SwiftShader (ANGLE's CPU renderer): `--use-angle=swiftshader`
    /// with `--enable-unsafe-swiftshader`, which Chromium now requires for it; with `--disable-gpu` instead, the
    /// software compositor reads every WebGL frame back and logs "GPU stall due to ReadPixels".
    static func run(_ binary: String, _ arguments: [String], workDirectory: URL, timeout: TimeInterval = 120) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--headless", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
            "--force-device-scale-factor=1", "--window-size=1200,800",
            "--user-data-dir=" + workDirectory.appendingPathComponent("chromium-profile").path,
        ] + arguments
        let outURL = workDirectory.appendingPathComponent("chromium.stdout")
        let errURL = workDirectory.appendingPathComponent("chromium.stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            Thread.sleep(forTimeInterval: 1)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try out.close(); try err.close()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// Text of an HTML text node back to plain text (the entities Chromium's serializer writes).
func htmlUnescaped(_ s: String) -> String {
    s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&nbsp;", with: "\u{00A0}").replacingOccurrences(of: "&amp;", with: "&")
}
