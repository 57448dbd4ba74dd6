/// The fixed parts of `ExplorePage`'s HTML: markup and stylesheet (the script is `ExplorePageScript`). Only three
/// values are spliced in: the title, already entity-escaped, the data JSON, already made safe for a `<script>`
/// block, and in the large-map form the URL-encoded path of the folder's `points.js`.
enum ExplorePageTemplate {
    /// `pointsSource`: the large-map form's `<script src>` (already URL-encoded), loaded before the page's code.
    static func page(title: String, dataJSON: String, pointsSource: String? = nil) -> String {
        let external = pointsSource.map { "<script src=\"\($0)\"></script>\n" } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header><h1>\(title)</h1><nav id="tabs" aria-label="maps"></nav><span id="status"></span></header>
        <main>
        <div id="plot"><canvas id="canvas"></canvas><canvas id="overlay"></canvas><div id="tooltip" hidden></div>
        <div id="problem" role="alert" hidden></div>
        <div id="hint">wheel: zoom · drag: pan · double-click: reset · click a point: neighbours</div></div>
        <aside>
        <section><h2>Classes</h2><div class="buttons"><button type="button" id="show-all">all</button>
        <button type="button" id="show-none">none</button></div><div id="filters"></div></section>
        <section id="issues" hidden><h2>Issues</h2><div id="issue-kinds" class="buttons"></div>
        <div id="issue-note" class="note"></div><ol id="issue-list"></ol></section>
        <section><h2>Selection</h2><div id="selected" class="empty">Click a point to list its nearest neighbours.</div>
        <ol id="neighbours"></ol></section>
        </aside>
        </main>
        <pre id="selftest" hidden></pre><pre id="bench" hidden></pre>
        <script type="application/json" id="embeval-data">\(dataJSON)</script>
        \(external)<script>
        \(ExplorePageScript.renderer)
        \(ExplorePageScript.main)
        </script>
        </body>
        </html>

        """
    }

    static let css = #"""
    * { box-sizing: border-box; }
    html, body { margin: 0; height: 100%; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      color: #222; background: #fff; }
    header { height: 48px; display: flex; align-items: center; gap: 16px; padding: 0 12px; border-bottom: 1px solid #ddd; }
    h1 { font-size: 16px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 45%; }
    h2 { font-size: 13px; margin: 8px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
    #tabs button { border: 1px solid #bbb; background: #f4f4f4; padding: 4px 12px; margin-right: 4px; border-radius: 4px;
      cursor: pointer; font: inherit; }
    #tabs button.active { background: #2f6fb0; border-color: #2f6fb0; color: #fff; }
    #status { color: #666; margin-left: auto; white-space: nowrap; }
    main { display: flex; height: calc(100% - 48px); }
    #plot { position: relative; flex: 1; min-width: 0; overflow: hidden; }
    #canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%; cursor: crosshair; }
    #canvas.dragging { cursor: grabbing; }
    #overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
    #problem { position: absolute; left: 24px; right: 24px; top: 24px; padding: 12px 16px; background: #fff4f0;
      border: 1px solid #c0392b; border-radius: 4px; color: #7a1d12; font-size: 14px; z-index: 3; white-space: pre-line; }
    #hint { position: absolute; left: 8px; bottom: 6px; color: #888; font-size: 11px; pointer-events: none; }
    aside { width: 300px; flex: none; border-left: 1px solid #ddd; padding: 0 10px 10px; overflow-y: auto; }
    .buttons button { font: inherit; padding: 1px 8px; margin-right: 4px; }
    #filters label { display: flex; align-items: center; gap: 6px; padding: 1px 0; cursor: pointer; }
    #filters .count { color: #888; margin-left: auto; }
    .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; flex: none; }
    #tooltip { position: absolute; pointer-events: none; background: rgba(255,255,255,.96); border: 1px solid #999;
      border-radius: 4px; padding: 6px; box-shadow: 0 2px 6px rgba(0,0,0,.2); max-width: 260px; z-index: 2; }
    #tooltip img, #selected img, #neighbours img { image-rendering: pixelated; background: #eee; flex: none; }
    #tooltip img { width: 96px; height: 96px; object-fit: contain; display: block; margin-bottom: 4px; }
    .label { font-weight: 600; display: flex; align-items: center; gap: 5px; }
    .id { color: #555; word-break: break-all; font-size: 12px; }
    .nothumb { color: #999; font-size: 11px; }
    #selected { display: flex; gap: 8px; align-items: flex-start; }
    #selected.empty { color: #888; display: block; }
    #selected img { width: 64px; height: 64px; object-fit: contain; }
    #neighbours { list-style: none; padding-left: 0; margin: 6px 0; }
    #neighbours .rank { color: #888; width: 20px; text-align: right; flex: none; }
    .note { color: #555; font-size: 12px; }
    #neighbours li { cursor: pointer; padding: 2px 0; }
    #neighbours li > div { display: flex; gap: 6px; align-items: center; }
    #neighbours li:hover { background: #f0f4fa; }
    #neighbours img { width: 36px; height: 36px; object-fit: contain; }
    #issue-kinds button.active { background: #2f6fb0; border-color: #2f6fb0; color: #fff; }
    #issue-list { list-style: none; padding-left: 0; margin: 6px 0; max-height: 45vh; overflow-y: auto; }
    #issue-list li { cursor: pointer; padding: 3px 0; border-bottom: 1px solid #eee; }
    #issue-list li:hover { background: #fbf0f0; }
    #issue-list .issue { display: flex; gap: 6px; align-items: center; }
    #issue-list img { width: 44px; height: 44px; object-fit: contain; image-rendering: pixelated; background: #eee; flex: none; }
    """#
}
