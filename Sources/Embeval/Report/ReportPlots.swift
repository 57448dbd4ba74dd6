import Foundation

/// `--plots DIR`: the figures of an evaluation page as standalone SVG files, for pasting into documents. The folder
/// is written whole (staged, then swapped in with a manifest); a folder holding anything else is refused.
public enum ReportPlots {
    /// The names a plots folder may hold.
    static func isPlotFile(_ name: String) -> Bool { name.hasSuffix(".svg") && !name.hasPrefix(".") }

    /// Refuses, before any work, a target that is a file or a folder of other things.
    public static func checkTarget(_ target: URL) throws {
        try OutputFolder.checkReplaceable(OutputFile.resolved(target), kind: "plots", ownedNames: isPlotFile)
    }

    public static func write(_ figures: [(name: String, svg: String)], to target: URL) throws {
        let folder = try OutputFolder(target, kind: "plots", ownedNames: isPlotFile)
        try folder.fill { dir in
            for figure in figures {
                // A white ground: figures pasted onto dark slides stay readable.
                let svg = figure.svg.replacingOccurrences(of: "role=\"img\"", with: "role=\"img\" style=\"background:#fff;font-family:sans-serif\"")
                try OutputFile(dir.appendingPathComponent(figure.name + ".svg").path).write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg + "\n")
            }
        }
        try folder.commit()
    }
}
