//! The desktop app, end to end: it builds, opens its window under a real X display,
//! says Docker is ready, profiles a CSV handed to it the way a drop does, shows the
//! histogram inline, and a screenshot of the screen is not blank. Then, in Settings,
//! it points the app at a local OpenAI-compatible server (scripted, on 127.0.0.1),
//! tests the connection, asks a question in the question box, and sees the reply
//! stream in with its token usage and exactly what was sent. The answer card must be
//! wholly in view, and the X screen (what the user sees) must match WebKit's own
//! rendering of the page, also where the Settings dialog was. Last, in Settings →
//! Packages, a proxy written without http:// is refused in the engine's plain words
//! with everything typed still there, the corrected one is saved, and what was saved
//! kept the packages settings the dialog does not show.
//!
//! Needs a display (`xvfb-run -a`), tauri-driver and WebKitWebDriver; scripts/test
//! provides all three. Missing any of them fails the test: it never skips.

mod chat_server;

use chat_server::ChatServer;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Stops tauri-driver with SIGTERM (never SIGKILL: only TERM makes it stop its
/// WebKitWebDriver child, which otherwise keeps the port and hangs the next run).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver_path() -> PathBuf {
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("tauri-driver"))
            .find(|p| p.is_file())
    });
    let in_cargo = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cargo/bin/tauri-driver"))
        .filter(|p| p.is_file());
    in_path.or(in_cargo).expect(
        "tauri-driver is missing: run scripts/test, which installs it (cargo install tauri-driver --locked)",
    )
}

fn start_driver(xdg_root: &Path) -> (Driver, u16) {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no X display: run this test under xvfb-run -a (scripts/test does)"
    );
    let port = free_port();
    let native_port = free_port();
    let child = Command::new(tauri_driver_path())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        // A clean profile: settings, WebKit data and run results go to a temp folder.
        .env("XDG_DATA_HOME", xdg_root.join("data"))
        .env("XDG_CONFIG_HOME", xdg_root.join("config"))
        .env("XDG_CACHE_HOME", xdg_root.join("cache"))
        .spawn()
        .expect("tauri-driver starts");
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, port)
}

async fn open_app(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".to_owned(),
        json!({ "application": env!("CARGO_BIN_EXE_sandpiper-desktop") }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("the app starts under WebDriver")
}

async fn wait_until(client: &Client, what: &str, script: &str, limit: Duration) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let value = client.execute(script, vec![]).await.expect("script runs");
        if value.as_bool() != Some(false) && !value.is_null() {
            return value;
        }
        if Instant::now() > deadline {
            let text = client
                .execute("return document.body.innerText", vec![])
                .await
                .unwrap_or_default();
            panic!("timed out waiting for {what}; the window shows:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn find(client: &Client, css: &str) -> Element {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css} is not in the window: {err}"))
}

async fn click(client: &Client, css: &str) {
    find(client, css).await.click().await.unwrap();
}

/// Types `text` into the field `css`, key by key, as the user would.
async fn fill(client: &Client, css: &str, text: &str) {
    find(client, css).await.send_keys(text).await.unwrap();
}

/// Runs a synchronous script in the page and returns what it returns.
async fn run_script(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Where the element `css` is drawn: its DOMRect, for [`Rect::of`].
async fn bounding_box(client: &Client, css: &str) -> Value {
    run_script(
        client,
        &format!("return document.querySelector('{css}').getBoundingClientRect().toJSON()"),
    )
    .await
}

async fn wait_for_the_settings_toast_to_go(client: &Client) {
    wait_until(
        client,
        "the settings toast to go",
        "return document.querySelector('#toasts').children.length === 0",
        Duration::from_secs(10),
    )
    .await;
}

const SETTINGS_BUTTON: &str = "#settings-button";
const SAVE_BUTTON: &str = "[data-action='save']";
const SETTINGS_DIALOG: &str = "#settings-dialog";
const SETTINGS_DIALOG_CLOSED: &str = "return !document.querySelector('#settings-dialog').open";

/// Screenshot of the whole X screen, as the user would see it.
fn screenshot(dest: &Path) -> (f64, u64) {
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(dest)
        .status()
        .expect("ImageMagick import runs");
    assert!(status.success(), "screenshot failed");
    let stats = Command::new("convert")
        .arg(dest)
        .args(["-format", "%[fx:standard_deviation] %k", "info:"])
        .output()
        .expect("ImageMagick convert runs");
    let text = String::from_utf8_lossy(&stats.stdout).to_string();
    let mut parts = text.split_whitespace();
    let deviation = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let colours = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    (deviation, colours)
}

/// A rectangle of the window in CSS pixels. The window sits at 0,0 without
/// decorations and at a device pixel ratio of 1, so it is in screen pixels too.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

impl Rect {
    /// The whole window, of the size `viewport` gives.
    fn window(size: (u32, u32)) -> Rect {
        Rect {
            x: 0,
            y: 0,
            w: size.0,
            h: size.1,
        }
    }

    /// From a DOMRect serialised as `{left, top, width, height}`, cut to the viewport.
    fn of(v: &Value, viewport: (u32, u32)) -> Rect {
        let n = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("no {k} in {v}"));
        let x0 = n("left").max(0.0).round() as u32;
        let y0 = n("top").max(0.0).round() as u32;
        let x1 = ((n("left") + n("width")).round() as u32).min(viewport.0);
        let y1 = ((n("top") + n("height")).round() as u32).min(viewport.1);
        assert!(x1 > x0 + 4 && y1 > y0 + 4, "{v} is not inside the window");
        Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }

    /// ImageMagick's inline crop: `file.png[WxH+X+Y]`.
    fn of_image(&self, image: &Path) -> String {
        format!(
            "{}[{}x{}+{}+{}]",
            image.display(),
            self.w,
            self.h,
            self.x,
            self.y
        )
    }
}

/// How far one region of two images is apart: ImageMagick's normalised RMSE,
/// 0 when identical, near 1 when opposite.
fn difference(a: &Path, b: &Path, region: Rect) -> f64 {
    let out = Command::new("compare")
        .args(["-metric", "RMSE"])
        .arg(region.of_image(a))
        .arg(region.of_image(b))
        .arg("null:")
        .output()
        .expect("ImageMagick compare runs");
    // Prints "<absolute> (<normalised>)" on stderr; exits 1 when the images differ.
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    text.split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("compare failed on {region:?}: {text}"))
}

/// The standard deviation of one region of an image: about 0 when it is blank.
fn region_deviation(image: &Path, region: Rect) -> f64 {
    let out = Command::new("convert")
        .arg(region.of_image(image))
        .args(["-format", "%[fx:standard_deviation]", "info:"])
        .output()
        .expect("ImageMagick convert runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0)
}

/// The most a region of the X screen may differ from WebKit's own rendering of
/// the page. The two are pixel-identical once the screen is up to date; a stale
/// frame (a dialog still drawn, an old scroll position) is far above this.
const SAME_PICTURE: f64 = 0.005;

/// How long the X screen may take to catch up with the page.
const SCREEN_CATCH_UP: Duration = Duration::from_secs(10);

/// Takes an X screenshot of what the user sees and waits until, in every named
/// region, it shows what WebKit rendered (its WebDriver screenshot). Under Xvfb the
/// window sometimes presents an old frame for a moment, so this retakes both until
/// they agree, and fails if they never do (after [`SCREEN_CATCH_UP`]). Logs where the
/// screenshot is and returns the screen's deviation and colours.
async fn screen_shows_the_page(
    client: &Client,
    dest: &Path,
    regions: &[(&str, Rect)],
) -> (f64, u64) {
    let page = dest.with_extension("webdriver.png");
    let deadline = Instant::now() + SCREEN_CATCH_UP;
    loop {
        // Let the page draw its last change first.
        client
            .execute_async(
                "const done = arguments[0];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .unwrap();
        let stats = screenshot(dest);
        let png = client.screenshot().await.expect("WebDriver screenshot");
        std::fs::write(&page, png).unwrap();
        let diffs: Vec<(&str, f64)> = regions
            .iter()
            .map(|(name, r)| (*name, difference(dest, &page, *r)))
            .collect();
        if diffs.iter().all(|(_, d)| *d <= SAME_PICTURE) {
            let (deviation, colours) = stats;
            eprintln!(
                "screenshot: {} (deviation {deviation:.3}, {colours} colours)",
                dest.display()
            );
            return stats;
        }
        if Instant::now() > deadline {
            panic!(
                "the screen does not show what the page rendered (normalised RMSE per region, \
                 at most {SAME_PICTURE}): {diffs:?}\nscreen: {}\npage: {}",
                dest.display(),
                page.display()
            );
        }
        eprintln!("the screen is behind the page ({diffs:?}); looking again");
        // Poll again: the assertion is the comparison above, not this pause.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn viewport(client: &Client) -> (u32, u32) {
    let v = run_script(client, "return [innerWidth, innerHeight]").await;
    (v[0].as_u64().unwrap() as u32, v[1].as_u64().unwrap() as u32)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_opens_profiles_a_dropped_csv_and_shows_the_histogram() {
    let temp = tempfile::tempdir().unwrap();
    let csv = temp.path().join("measurements.csv");
    let mut rows = String::from("station,temperature,rainfall\n");
    for i in 0..200 {
        rows.push_str(&format!(
            "s{},{:.1},{}\n",
            i % 5,
            10.0 + (i % 23) as f64 * 0.7,
            i % 9
        ));
    }
    std::fs::write(&csv, rows).unwrap();

    // Settings saved by an earlier Sandpiper, with an internal field the dialog
    // never shows: it must come back from the dialog's save untouched.
    let store = temp
        .path()
        .join("data")
        .join("app.sandpiper.desktop")
        .join("settings.json");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    std::fs::write(
        &store,
        json!({ "settings": { "packages": {
            "store_volume": "sandpiper-packages-e2e",
            "denylist": ["requests"],
        } } })
        .to_string(),
    )
    .unwrap();

    let (_driver, port) = start_driver(temp.path());
    let client = open_app(port).await;

    wait_until(
        &client,
        "Docker to be reported ready",
        "return document.body.innerText.includes('Docker is ready')",
        Duration::from_secs(30),
    )
    .await;

    // The same function the window's drop handler calls with the dropped paths.
    client
        .execute(
            "window.sandpiper.openDatasets(arguments[0]); return true",
            vec![json!([csv.display().to_string()])],
        )
        .await
        .unwrap();

    wait_until(
        &client,
        "the profile to finish",
        "return document.body.innerText.includes('Finished in')",
        Duration::from_secs(120),
    )
    .await;
    let text = wait_until(
        &client,
        "the profile's text and an inline histogram",
        "const imgs = [...document.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth > 0);
         const text = document.body.innerText;
         return imgs.length >= 2 && text.includes('Rows: 200') ? text : false",
        Duration::from_secs(30),
    )
    .await;
    assert!(text.as_str().unwrap().contains("Columns: 3"));

    // Let every image decode and the compositor draw the last change before
    // looking at the screen.
    let imgs = client
        .execute_async(
            "const done = arguments[0];
             const imgs = [...document.querySelectorAll('img')];
             Promise.all(imgs.map(i => i.decode().catch(() => null))).then(() =>
               requestAnimationFrame(() => requestAnimationFrame(() =>
                 done(imgs.map(i => [i.src, i.naturalWidth, i.getBoundingClientRect().height])))));",
            vec![],
        )
        .await
        .unwrap();
    let shown = imgs
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i[0].as_str().unwrap_or("").contains("hist_")
                && i[1].as_u64() > Some(0)
                && i[2].as_f64() > Some(50.0)
        })
        .count();
    assert_eq!(shown, 2, "both histograms are drawn inline: {imgs}");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("profile-finished.png");
    let window = Rect::window(viewport(&client).await);
    let (deviation, colours) = screen_shows_the_page(&client, &shot, &[("window", window)]).await;
    assert!(
        deviation > 0.02,
        "the screen looks blank (deviation {deviation})"
    );
    assert!(colours > 16, "the screen looks blank ({colours} colours)");

    ask_a_local_model_about_the_dataset(&client, &shots).await;
    packages_settings_refuse_a_bad_proxy_then_save_the_fixed_one(&client, &shots, &store).await;

    client.close().await.unwrap();
}

/// Settings → Language model → a local OpenAI-compatible server, Test connection,
/// Save; then a question, whose reply streams into the conversation with its tokens.
async fn ask_a_local_model_about_the_dataset(client: &Client, shots: &Path) {
    let server = ChatServer::start();
    click(client, SETTINGS_BUTTON).await;
    wait_until(
        client,
        "the settings to load",
        "return document.querySelector('#set-llm-provider').options.length === 6 &&
                !document.querySelector('#settings-fields').disabled",
        Duration::from_secs(10),
    )
    .await;
    click(
        client,
        "#set-llm-provider option[value='openai-compatible']",
    )
    .await;
    // A select's option click does not always fire `change` under WebKitWebDriver.
    run_script(
        client,
        "const p = document.querySelector('#set-llm-provider');
         p.value = 'openai-compatible'; p.dispatchEvent(new Event('change')); return true",
    )
    .await;
    fill(client, "#set-llm-base-url", &server.base_url).await;
    click(client, "[data-action='test-connection']").await;
    let result = wait_until(
        client,
        "the connection test's result",
        "const r = document.querySelector('#set-llm-test-result');
         return !r.hidden && r.textContent.length > 0 ? r.textContent : false",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(
        result.as_str().unwrap(),
        "Connected to the model server: 1 model available, including local-model."
    );
    // Where the dialog is drawn: once it closes, the screen there must show the page.
    let dialog_box = bounding_box(client, SETTINGS_DIALOG).await;
    click(client, SAVE_BUTTON).await;
    wait_until(
        client,
        "the settings dialog to close",
        SETTINGS_DIALOG_CLOSED,
        Duration::from_secs(10),
    )
    .await;

    let question = "How many rows are there?";
    fill(client, "#ask-input", question).await;
    click(client, "#ask-button").await;
    // The reply grows piece by piece before it is complete.
    wait_until(
        client,
        "the first piece of the reply",
        "const a = document.querySelector('.answer-card .answer-text');
         return a && a.textContent.startsWith('The table has ') && a.textContent.length < 40",
        Duration::from_secs(60),
    )
    .await;
    let usage = wait_until(
        client,
        "the whole reply and its token usage",
        "const card = document.querySelector('.answer-card');
         const text = card && card.querySelector('.answer-text').textContent;
         const usage = document.querySelector('#session-usage');
         return text === 'The table has 200 rows from 5 stations.' && !usage.hidden
           ? [card.querySelector('.answer-usage').textContent, usage.textContent] : false",
        Duration::from_secs(30),
    )
    .await;
    assert!(
        usage[0]
            .as_str()
            .unwrap()
            .starts_with("321 tokens in · 12 out"),
        "{usage}"
    );
    assert_eq!(
        usage[1].as_str().unwrap(),
        "This conversation: 321 tokens in · 12 out (1 question)"
    );

    // "What was sent" shows exactly the message the server received.
    click(client, ".answer-card .sent-summary").await;
    let shown = wait_until(
        client,
        "the text that was sent",
        "const d = document.querySelector('.answer-card .sent');
         return d.open && d.querySelector('.sent-text').innerText",
        Duration::from_secs(5),
    )
    .await;
    let requests = server.chat_requests();
    assert_eq!(requests.len(), 1);
    let sent = requests[0]["messages"][1]["content"].as_str().unwrap();
    assert!(sent.starts_with("Dataset \"measurements.csv\""), "{sent}");
    assert!(
        sent.contains("200 rows, 3 columns") && sent.ends_with(question),
        "{sent}"
    );
    assert!(
        shown
            .as_str()
            .unwrap()
            .ends_with(&format!("Message:\n{sent}")),
        "shown: {shown}\nsent: {sent}"
    );

    // The newest answer is in view, "What was sent" included: the conversation
    // followed it down instead of staying where the profile had left it.
    let boxes = client
        .execute_async(
            "const done = arguments[0];
             requestAnimationFrame(() => requestAnimationFrame(() => {
               const view = document.querySelector('#scroller').getBoundingClientRect();
               const card = document.querySelector('.answer-card').getBoundingClientRect();
               const text = document.querySelector('.answer-card .answer-text').getBoundingClientRect();
               done({ view: view.toJSON(), card: card.toJSON(), text: text.toJSON(),
                      jump: !document.querySelector('#jump').hidden,
                      size: [innerWidth, innerHeight] });
             }));",
            vec![],
        )
        .await
        .unwrap();
    let view = &boxes["view"];
    let card = &boxes["card"];
    let inside = |k: &str| card[k].as_f64().unwrap();
    assert!(
        inside("top") >= view["top"].as_f64().unwrap()
            && inside("bottom") <= view["bottom"].as_f64().unwrap()
            && inside("left") >= 0.0
            && inside("right") <= boxes["size"][0].as_f64().unwrap(),
        "the answer card is not wholly in view: {boxes}"
    );
    assert_eq!(
        boxes["jump"],
        json!(false),
        "\"New output\" is offered: {boxes}"
    );

    // The toast from saving the settings is gone, so nothing changes on the
    // screen while it is compared with the page.
    wait_for_the_settings_toast_to_go(client).await;
    let size = viewport(client).await;
    let window = Rect::window(size);
    let dialog = Rect::of(&dialog_box, size);
    let answer = Rect::of(card, size);
    let answer_text = Rect::of(&boxes["text"], size);
    let shot = shots.join("answer-streamed.png");
    let (deviation, _) = screen_shows_the_page(
        client,
        &shot,
        &[
            ("window", window),
            ("where the settings dialog was", dialog),
            ("answer card", answer),
        ],
    )
    .await;
    assert!(deviation > 0.02, "the screen looks blank after the answer");
    let text_deviation = region_deviation(&shot, answer_text);
    assert!(
        text_deviation > 0.05,
        "the answer's text is blank on the screen ({text_deviation} at {answer_text:?})"
    );
}

/// Settings → Packages: a proxy without http:// comes back as the engine's refusal
/// in plain words, the dialog keeps what was typed, and the corrected proxy saves
/// with the rest of the packages settings as they were.
async fn packages_settings_refuse_a_bad_proxy_then_save_the_fixed_one(
    client: &Client,
    shots: &Path,
    store: &Path,
) {
    let computers = "/etc/ssl/certs/ca-certificates.crt";
    assert!(
        Path::new(computers).is_file(),
        "this test expects Debian's certificates file at {computers}"
    );
    wait_for_the_settings_toast_to_go(client).await;
    click(client, SETTINGS_BUTTON).await;
    // Loaded: the saved deny list, and this computer's certificates named as such.
    let shown = wait_until(
        client,
        "the packages settings to load",
        "const $ = (s) => document.querySelector(s);
         return !$('#settings-fields').disabled && $('#set-pkg-ca-hint').textContent.startsWith('This computer')
           ? { auto: $('#set-pkg-auto').checked, proxy: $('#set-pkg-proxy').value, ca: $('#set-pkg-ca').value,
               readOnly: $('#set-pkg-ca').readOnly, deny: $('#set-pkg-deny').value, allow: $('#set-pkg-allow').value,
               reset: !$('[data-action=\"default-ca\"]').hidden, network: $('#set-pkg-network-status').textContent }
           : false",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        shown,
        json!({ "auto": true, "proxy": "", "ca": computers, "readOnly": true, "deny": "requests",
                "allow": "", "reset": false, "network": "Docker's default network" })
    );

    run_script(
        client,
        "document.querySelector('#settings-packages-advanced').open = true;
         document.querySelector('#settings-packages').scrollIntoView({ block: 'start' });
         return true",
    )
    .await;
    let proxy = find(client, "#set-pkg-proxy").await;
    proxy.send_keys("proxy.example.com:3128").await.unwrap();
    // U+E007 is WebDriver's Enter key: a new line in the text area.
    fill(client, "#set-pkg-allow", "pandas\u{E007}scikit-learn").await;
    let save = find(client, SAVE_BUTTON).await;
    save.click().await.unwrap();
    let refusal = wait_until(
        client,
        "the engine's refusal",
        "const box = document.querySelector('#settings-error');
         const button = document.querySelector('[data-action=\"save\"]');
         return !box.hidden && !button.disabled
           ? [box.querySelector('.form-error-title').textContent, box.querySelector('.form-error-advice').textContent]
           : false",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        refusal,
        json!([
            "These settings can't be used.",
            "The proxy \"proxy.example.com:3128\" is not an address Sandpiper can use. \
             Write it like http://proxy.example.com:3128."
        ])
    );
    // Nothing typed was lost, and the dialog is still open.
    let kept = run_script(
        client,
        "const $ = (s) => document.querySelector(s);
         return [$('#settings-dialog').open, $('#set-pkg-proxy').value, $('#set-pkg-allow').value]",
    )
    .await;
    assert_eq!(
        kept,
        json!([true, "proxy.example.com:3128", "pandas\nscikit-learn"])
    );

    let size = viewport(client).await;
    let dialog = Rect::of(&bounding_box(client, SETTINGS_DIALOG).await, size);
    // The refusal above the fields, then the section from its title, then its end
    // with "Advanced" open, as the user scrolls through it.
    for (name, scroll) in [
        (
            "packages-refused.png",
            "document.querySelector('#settings-packages').scrollIntoView({ block: 'start' })",
        ),
        (
            "packages-advanced.png",
            "document.querySelector('#settings-packages-advanced').scrollIntoView({ block: 'end' })",
        ),
    ] {
        run_script(client, &format!("{scroll}; return true")).await;
        let shot = shots.join(name);
        let (deviation, _) =
            screen_shows_the_page(client, &shot, &[("settings dialog", dialog)]).await;
        assert!(
            region_deviation(&shot, dialog) > 0.02 && deviation > 0.02,
            "the settings dialog looks blank on the screen"
        );
    }

    proxy.clear().await.unwrap();
    proxy
        .send_keys("http://proxy.example.com:3128")
        .await
        .unwrap();
    save.click().await.unwrap();
    wait_until(
        client,
        "the fixed settings to save and the dialog to close",
        SETTINGS_DIALOG_CLOSED,
        Duration::from_secs(10),
    )
    .await;

    let saved: Value = serde_json::from_str(&std::fs::read_to_string(store).unwrap()).unwrap();
    let packages = &saved["settings"]["packages"];
    assert_eq!(
        packages,
        &json!({
            "proxy": "http://proxy.example.com:3128",
            "ca_bundle": computers,
            "allowlist": ["pandas", "scikit-learn"],
            "denylist": ["requests"],
            "auto_install": true,
            "network": null,
            "store_volume": "sandpiper-packages-e2e",
        }),
        "saved: {saved}"
    );
}
