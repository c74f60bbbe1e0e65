//! The desktop app, end to end: it builds, opens its window under a real X display,
//! says Docker is ready, profiles a CSV handed to it the way a drop does, shows the
//! histogram inline, and a screenshot of the screen is not blank. Then, in Settings,
//! it points the app at a local OpenAI-compatible server (scripted, on 127.0.0.1)
//! and tests the connection; the X screen (what the user sees) must match WebKit's
//! own rendering of the page, also where the Settings dialog was. Last, in Settings →
//! Packages, a proxy written without http:// is refused in the engine's plain words
//! with everything typed still there, the corrected one is saved, and what was saved
//! kept the packages settings the dialog does not show.
//!
//! The analysis tests ask the analysis agent in a saved session: a first try whose
//! code fails and a second that works, shown and saved; and the same session
//! reopened from Home after the app was closed and started again.
//!
//! Needs a display (`xvfb-run -a`), tauri-driver and WebKitWebDriver; scripts/test
//! provides all three. Missing any of them fails the test: it never skips.

mod chat_server;
/// The engine's tests' stand-in for Docker's socket, which a test can cut.
#[path = "../../tests/common/cuttable_socket.rs"]
mod cuttable_socket;

/// Where the real daemon listens, for [`cuttable_socket`] to forward to.
mod remote {
    pub fn local_socket() -> std::path::PathBuf {
        std::env::var("DOCKER_HOST")
            .ok()
            .and_then(|h| h.strip_prefix("unix://").map(std::path::PathBuf::from))
            .unwrap_or_else(|| std::path::PathBuf::from("/var/run/docker.sock"))
    }
}

use chat_server::ChatServer;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The tests share one X display and the screenshots compare what is on it
/// with the page: one app window at a time.
static ONE_WINDOW_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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
        // A key from the developer's environment must not answer for the app.
        .env_remove("ANTHROPIC_API_KEY")
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

/// Clicks `css` once it stands in view, uncovered and still, where a user's
/// pointer would reach it. On a loaded machine the page can still be drawing or
/// following the conversation when a test gets there: WebDriver then clicks
/// where the element was, and the click misses or is refused.
async fn click(client: &Client, css: &str) {
    let element = find(client, css).await;
    let selector = serde_json::to_string(css).unwrap();
    wait_until(
        client,
        &format!("{css} to be clickable"),
        &format!(
            "const found = document.querySelector({selector});
             // An option has no box of its own: its select is what stands in view.
             const e = found && found.tagName === 'OPTION' ? found.closest('select') : found;
             if (!e || e.disabled) return false;
             e.scrollIntoView({{ block: 'nearest', inline: 'nearest' }});
             const r = e.getBoundingClientRect();
             if (r.width === 0 || r.height === 0) return false;
             // Still where it was at the last look (250 ms ago): a card that
             // grows or a conversation that scrolls would move it under the click.
             const at = [r.left, r.top, r.width, r.height].join();
             const seen = window.__clickTargets || (window.__clickTargets = {{}});
             const before = seen[{selector}];
             seen[{selector}] = at;
             if (before !== at) return false;
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
             return !!hit && (e.contains(hit) || hit.contains(e)
               || [...(e.labels || [])].some((label) => label.contains(hit)));"
        ),
        Duration::from_secs(10),
    )
    .await;
    element.click().await.unwrap();
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
/// The settings dialog is open and its settings have arrived (a late arrival
/// would overwrite what a test has typed meanwhile).
const SETTINGS_LOADED: &str = "const d = document.querySelector('#settings-dialog');
     return d.open && d.getAttribute('aria-busy') === 'false'
       && !document.querySelector('#settings-fields').disabled";
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
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
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
        json!({ "settings": {
            "packages": {
                "store_volume": "sandpiper-packages-e2e",
                "denylist": ["requests"],
            },
            // No question is asked here: the app need not build the analysis image.
            "agent": { "analysis_image": false },
        } })
        .to_string(),
    )
    .unwrap();

    // The dropped file starts a session, whose container the app keeps, with
    // the package store above mounted.
    let _store_volume = RemovesPackageStore("sandpiper-packages-e2e");
    let _containers = RemovesSessionContainers(store.parent().unwrap().to_owned());
    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);

    drop_once_docker_is_ready(&client, &[&csv]).await;

    wait_until(
        &client,
        "the profile to finish",
        "return document.body.innerText.includes('Finished in')",
        Duration::from_secs(120),
    )
    .await;
    // One card per column, drawn by the window from the profile's numbers:
    // the two numeric columns with their histogram bars.
    let cards = wait_until(
        &client,
        "a card per column with histograms drawn from the numbers",
        "const cards = [...document.querySelectorAll('.profile-card')];
         const meta = document.querySelector('.profile-meta');
         if (cards.length !== 3 || !meta) return false;
         return { meta: meta.textContent,
                  cards: cards.map(c => [c.querySelector('.profile-card-name').textContent,
                                         c.querySelectorAll('.profile-histogram rect').length > 0]) };",
        Duration::from_secs(30),
    )
    .await;
    assert!(
        cards["meta"]
            .as_str()
            .unwrap_or_default()
            .starts_with("200 rows × 3 columns"),
        "{cards}"
    );
    assert_eq!(
        cards["cards"],
        json!([
            ["station", false],
            ["temperature", true],
            ["rainfall", true]
        ]),
        "text has no histogram, numbers do"
    );
    // What an analyst sees first: the cards (the text is folded away).
    run_script(
        &client,
        "document.querySelector('.profile').scrollIntoView({ block: 'start' }); return true",
    )
    .await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(&client).await;
    let grid = Rect::of(&bounding_box(&client, ".profile-grid").await, size);
    let cards_shot = shots.join("profile-cards.png");
    screen_shows_the_page(&client, &cards_shot, &[(".profile-grid", grid)]).await;
    assert!(
        region_deviation(&cards_shot, grid) > 0.02,
        "the cards are blank on the screen"
    );
    // The text report is still there for those who copy it, behind its toggle.
    click(&client, ".profile-text-toggle").await;
    wait_until(
        &client,
        "the profile's full text",
        "return document.body.innerText.includes('Rows: 200') && document.body.innerText.includes('Columns: 3')",
        Duration::from_secs(10),
    )
    .await;
    // Let the compositor draw the last change before looking at the screen.
    client
        .execute_async(
            "const done = arguments[0];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .unwrap();
    let shot = shots.join("profile-finished.png");
    let window = Rect::window(viewport(&client).await);
    let (deviation, colours) = screen_shows_the_page(&client, &shot, &[("window", window)]).await;
    assert!(
        deviation > 0.02,
        "the screen looks blank (deviation {deviation})"
    );
    assert!(colours > 16, "the screen looks blank ({colours} colours)");

    point_the_app_at_a_local_model(&client, &shots).await;
    packages_settings_refuse_a_bad_proxy_then_save_the_fixed_one(&client, &shots, &store).await;

    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Settings → Language model → a local OpenAI-compatible server, Test connection,
/// Save (the question box then asks this model: see the analysis tests below).
async fn point_the_app_at_a_local_model(client: &Client, shots: &Path) {
    let server = ChatServer::start();
    click(client, SETTINGS_BUTTON).await;
    wait_until(
        client,
        "the settings to load",
        SETTINGS_LOADED,
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

    // Once the dialog closes, the screen where it was shows the page again.
    wait_for_the_settings_toast_to_go(client).await;
    let size = viewport(client).await;
    let shot = shots.join("model-saved.png");
    let (deviation, _) = screen_shows_the_page(
        client,
        &shot,
        &[
            ("window", Rect::window(size)),
            ("where the settings dialog was", Rect::of(&dialog_box, size)),
        ],
    )
    .await;
    assert!(deviation > 0.02, "the screen looks blank after Settings");
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
         return $('#settings-dialog').open && $('#settings-dialog').getAttribute('aria-busy') === 'false'
           && !$('#settings-fields').disabled && $('#set-pkg-ca-hint').textContent.startsWith('This computer')
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
    fill(client, "#set-pkg-trusted", "python-slugify").await;
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
            "install_without_asking": ["python-slugify"],
            "denylist": ["requests"],
            "auto_install": true,
            "network": null,
            "store_volume": "sandpiper-packages-e2e",
        }),
        "saved: {saved}"
    );
}

// ---------------------------------------------------------------------------
// The analysis agent in saved sessions

/// Try 1's script uses a name it never defined; try 2's works and draws a bar
/// chart (standard library only, the PNG written by hand: the bare test image
/// has neither pandas nor matplotlib).
const BROKEN_SCRIPT: &str = "print('South', totals['South'])";
const TOTALS_SCRIPT: &str = "import csv, os, struct, zlib
totals = {}
for row in csv.DictReader(open(main_file)):
    totals[row['region']] = totals.get(row['region'], 0) + int(row['sales'])
for region, total in sorted(totals.items()):
    print(region, total)
names, top, h = sorted(totals), max(totals.values()), 60
raw = b''.join(b'\\0' + b''.join(b'\\x25\\x63\\xeb' if 4 <= x % 30 < 26 and y >= h - totals[names[x // 30]] * h // top else b'\\xff\\xff\\xff' for x in range(30 * len(names))) for y in range(h))
chunk = lambda kind, data: struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 30 * len(names), h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
open(os.path.join(os.environ.get('SANDPIPER_OUTPUT_DIR', '/workspace/output'), 'sales_by_region.png'), 'wb').write(png)";
/// TOTALS_SCRIPT, also saving the table its chart draws next to it (as the
/// brief asks), so the chart offers its data.
fn totals_with_their_data() -> String {
    format!(
        "{TOTALS_SCRIPT}\nopen(os.path.join(os.environ.get('SANDPIPER_OUTPUT_DIR', '/workspace/output'), \
         'sales_by_region.csv'), 'w').write('region,sales\\n' + ''.join('%s,%d\\n' % kv for kv in sorted(totals.items())))"
    )
}
/// The chart TOTALS_SCRIPT draws: a bar 30 pixels wide per region, 60 high.
const CHART_SIZE: (u64, u64) = (90, 60);
/// The blue of TOTALS_SCRIPT's bars.
const BAR_BLUE: &str = "#2563eb";
/// How many of the chart's pixels are bars: 22 wide per region, as tall as its
/// total's share of 60 (East 175 -> 42, North 220 -> 52, South 250 -> 60).
const BAR_PIXELS: f64 = 22.0 * (42.0 + 52.0 + 60.0);
const QUESTION: &str = "Which region sold the most?";
const ANSWER: &str = "South sold the most: 250.";

/// A model reply with the script in a ```python fence, a line a piece.
fn script_reply(code: &str) -> chat_server::Reply {
    format!("Here is the script:\n```python\n{code}\n```\n")
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect()
}

/// The app's process, started by WebKitWebDriver under tauri-driver.
struct AppProcess(i32);

/// The app started for `driver`'s session: the `sandpiper-desktop` process
/// among the driver's descendants.
fn app_process(driver: &Driver) -> AppProcess {
    let parents: Vec<(i32, i32, String)> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces, so split at its ')'.
            let (head, rest) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1.to_owned();
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid, comm))
        })
        .collect();
    let driver_pid = driver.0.id() as i32;
    let descends = |mut pid: i32| {
        while pid > 1 {
            if pid == driver_pid {
                return true;
            }
            pid = match parents.iter().find(|(p, _, _)| *p == pid) {
                Some((_, ppid, _)) => *ppid,
                None => return false,
            };
        }
        false
    };
    let app = parents
        .iter()
        .find(|(pid, _, comm)| comm.starts_with("sandpiper-desk") && descends(*pid))
        .unwrap_or_else(|| panic!("the app's process is not under tauri-driver ({driver_pid})"));
    AppProcess(app.0)
}

impl AppProcess {
    fn is_running(&self) -> bool {
        // A zombie has ended: only its exit status is left for its parent.
        std::fs::read_to_string(format!("/proc/{}/stat", self.0))
            .map(|stat| {
                !stat
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
            })
            .unwrap_or(false)
    }

    /// Waits for the app to end after its WebDriver session did. WebKitWebDriver
    /// closes the page, not always the window, and then the app keeps running
    /// after the driver is gone (a user closing the window quits it); so, as
    /// the user's own quit would, it is asked to end (SIGTERM) when still up.
    fn wait_for_the_end(&self) {
        let deadline = Instant::now() + Duration::from_secs(3);
        while self.is_running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if self.is_running() {
            eprintln!("the app outlived its WebDriver session: ending it (SIGTERM)");
            unsafe {
                libc::kill(self.0, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.is_running() {
                assert!(Instant::now() < deadline, "the app did not end on SIGTERM");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// A clean profile for the app whose Settings ask the scripted server and run
/// scripts in the bare test image; a sales table to drop on it.
struct AnalysisProfile {
    // Dropped first: the containers go before the folder they name.
    _containers: RemovesSessionContainers,
    temp: tempfile::TempDir,
    csv: PathBuf,
}

impl AnalysisProfile {
    fn new(server: &ChatServer) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let csv = temp.path().join("sales.csv");
        std::fs::write(
            &csv,
            "region,sales\nNorth,100\nSouth,250\nNorth,120\nEast,175\n",
        )
        .unwrap();
        let image =
            std::env::var("SANDPIPER_TEST_IMAGE").unwrap_or_else(|_| "python:3.11-slim".into());
        let containers =
            RemovesSessionContainers(temp.path().join("data").join("app.sandpiper.desktop"));
        let profile = Self {
            _containers: containers,
            temp,
            csv,
        };
        let store = profile.state_dir().join("settings.json");
        std::fs::create_dir_all(store.parent().unwrap()).unwrap();
        std::fs::write(
            &store,
            json!({ "settings": {
                "sandbox": { "image": image },
                "llm": { "provider": "openai-compatible", "base_url": server.base_url, "model": chat_server::MODEL },
                "agent": { "analysis_image": false },
            } })
            .to_string(),
        )
        .unwrap();
        profile
    }

    /// The app's data folder (`$XDG_DATA_HOME/<identifier>`): settings and sessions.
    fn state_dir(&self) -> PathBuf {
        self.temp.path().join("data").join("app.sandpiper.desktop")
    }

    /// The one saved session's id.
    fn session_id(&self) -> sandpiper::SessionId {
        let list = sandpiper::store::SessionStore::in_state_dir(&self.state_dir())
            .list()
            .unwrap();
        assert_eq!(list.sessions.len(), 1, "one saved session");
        list.sessions[0].id.clone()
    }

    /// Waits for the closed app's process to end: until then it holds the
    /// session's lock, and a new app would be refused the session.
    async fn wait_until_no_app_holds_the_session(&self) {
        let store = sandpiper::store::SessionStore::in_state_dir(&self.state_dir());
        let id = self.session_id();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match store.open(&id) {
                // Dropped at once: the lock goes with it.
                Ok(_) => return,
                Err(sandpiper::Error::SessionInUse { .. }) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("the closed app still holds the session: {err}"),
            }
        }
    }

    /// The one saved session's conversation, as written on disk.
    fn saved_conversation(&self) -> Vec<Value> {
        let sessions: Vec<_> = std::fs::read_dir(self.state_dir().join("sessions"))
            .expect("a sessions folder")
            .flatten()
            .filter(|e| e.path().join("session.json").is_file())
            .collect();
        assert_eq!(sessions.len(), 1, "one saved session: {sessions:?}");
        let text = std::fs::read_to_string(sessions[0].path().join("conversation.jsonl")).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("each line is one message"))
            .collect()
    }
}

/// Removes, when dropped, a package store volume a test pointed the app at:
/// it outlives sessions by design, and a test must leave nothing new behind.
/// Declared before the test's `RemovesSessionContainers`, it goes after them
/// (a volume still mounted cannot be removed).
struct RemovesPackageStore(&'static str);

impl Drop for RemovesPackageStore {
    fn drop(&mut self) {
        let volume = self.0;
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let settings = sandpiper::settings::DockerSettings::default();
                if let Ok(connection) = sandpiper::docker::connect(&settings).await {
                    let options: Option<bollard::query_parameters::RemoveVolumeOptions> = None;
                    let _ = connection.docker.remove_volume(volume, options).await;
                }
            });
        })
        .join()
        .unwrap();
    }
}

/// Removes, when dropped, the session containers (and their volumes) of the
/// sessions under an app data folder: the app keeps them for reopening, the
/// tests must not leave them behind.
struct RemovesSessionContainers(PathBuf);

impl Drop for RemovesSessionContainers {
    fn drop(&mut self) {
        let state_dir = self.0.clone();
        let Ok(entries) = std::fs::read_dir(state_dir.join("sessions")) else {
            return;
        };
        let ids: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        // Drop runs inside the test's runtime: remove them from a thread of its own.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let engine = sandpiper::Engine::with_state_dir(Default::default(), state_dir);
                if let Ok(containers) = engine.session_containers().await {
                    for id in ids {
                        if let Ok(id) = sandpiper::SessionId::parse(&id) {
                            let _ = containers.remove_session(&id).await;
                        }
                    }
                }
            });
        })
        .join()
        .unwrap();
    }
}

/// Once the window says Docker is ready, opens `files` as dropping them on
/// it does: the drop handler's own function (an OS drop cannot be scripted).
async fn drop_once_docker_is_ready(client: &Client, files: &[&Path]) {
    wait_until(
        client,
        "Docker to be reported ready",
        "return document.body.innerText.includes('Docker is ready')",
        Duration::from_secs(30),
    )
    .await;
    let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    client
        .execute(
            "window.sandpiper.openDatasets(arguments[0]); return true",
            vec![json!(paths)],
        )
        .await
        .unwrap();
}

/// Once Docker is ready, drops the sales table on the window (the drop
/// handler's own function) and asks `question` with Enter.
async fn ask_about_the_sales_table(client: &Client, profile: &AnalysisProfile, question: &str) {
    drop_once_docker_is_ready(client, &[&profile.csv]).await;
    wait_until(
        client,
        "the question box, once the file is in the session",
        "const f = document.querySelector('#ask-form');
         return !f.hidden && document.querySelector('#ask-hint').textContent.includes('sales.csv')",
        Duration::from_secs(20),
    )
    .await;
    // U+E007 is WebDriver's Enter key: it sends the question.
    fill(client, "#ask-input", &format!("{question}\u{E007}")).await;
}

/// Drops the sales table on the window (the drop handler's own function), asks
/// the question with Enter, and waits for the step to end. Returns what the
/// step card shows.
async fn analyse_the_sales_table(client: &Client, profile: &AnalysisProfile) -> Value {
    ask_about_the_sales_table(client, profile, QUESTION).await;
    // While the step runs, it says so and offers Stop.
    wait_until(
        client,
        "the running step with its Stop button",
        "const s = document.querySelector('.step');
         return s && s.dataset.state === 'running' && !s.querySelector('.step-stop').hidden
           && s.querySelector('.question-text').textContent.length > 0",
        Duration::from_secs(30),
    )
    .await;
    wait_until(
        client,
        "the step to end",
        "const s = document.querySelector('.step');
         return s && s.dataset.state !== 'running'",
        Duration::from_secs(90),
    )
    .await;
    step_card_text(client).await
}

/// What the (only) step card shows, part by part.
async fn step_card_text(client: &Client) -> Value {
    run_script(
        client,
        "const s = document.querySelector('.step');
         const all = (sel) => [...s.querySelectorAll(sel)].filter(e => !e.hidden).map(e => e.textContent);
         return { state: s.dataset.state, question: s.querySelector('.question-text').textContent,
                  status: s.querySelector('.step-status').textContent,
                  tries: all('.try-head'), reasons: all('.try-reason'), codes: all('.try-code:not(.try-stderr)'),
                  outputs: all('.try-output'), notices: all('.step-notice'),
                  answer: s.querySelector('.step-answer').hidden ? null : s.querySelector('.step-answer').textContent,
                  usage: s.querySelector('.step-usage').textContent,
                  error: s.querySelector('.step-error').hidden ? null : s.querySelector('.step-error').innerText,
                  stop: !s.querySelector('.step-stop').hidden,
                  steps: document.querySelectorAll('.step').length }",
    )
    .await
}

fn assert_two_tries_and_the_answer(shown: &Value) {
    assert_eq!(shown["state"], "done", "{shown:#}");
    assert_eq!(shown["steps"], 1, "{shown:#}");
    assert_eq!(shown["question"], QUESTION);
    assert_eq!(shown["status"], "Answered");
    assert_eq!(
        shown["tries"],
        json!(["Try 1 of 5Failed", "Try 2 of 5Worked"]),
        "{shown:#}"
    );
    let reasons = shown["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "only try 1 failed: {shown:#}");
    let reason = reasons[0].as_str().unwrap();
    assert!(
        reason.contains("NameError") && reason.contains("totals"),
        "the failed try says why in words: {reason}"
    );
    assert_eq!(
        shown["codes"][1].as_str().map(str::trim_end),
        Some(TOTALS_SCRIPT),
        "try 2's code is behind \"Show code\""
    );
    // What the working code printed is in view; the failed try's traceback is
    // not (it is behind "Show code"), and "Running the code…" is gone.
    assert_eq!(
        shown["outputs"],
        json!(["East 175\nNorth 220\nSouth 250"]),
        "{shown:#}"
    );
    assert_eq!(shown["notices"], json!([]), "{shown:#}");
    assert_eq!(shown["answer"], ANSWER);
    assert_eq!(shown["stop"], false, "no Stop once the step is over");
    assert!(
        shown["usage"].as_str().unwrap().starts_with("2 tries · "),
        "{shown:#}"
    );
}

/// Saves what WebKit drew of the page (its WebDriver screenshot), once it has
/// drawn its last change, as `name` under target/tmp/screenshots/. Used where
/// the test looks at the page's own pixels: on a loaded machine Xvfb's screen
/// can lag behind the page for longer than [`SCREEN_CATCH_UP`].
async fn what_webkit_drew(client: &Client, name: &str) -> PathBuf {
    client
        .execute_async(
            "const done = arguments[0];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(name);
    let png = client.screenshot().await.expect("WebDriver screenshot");
    std::fs::write(&shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    shot
}

/// How many pixels of the bars' blue the page shows where `css` is drawn
/// (what WebKit drew, saved as `name`).
async fn bar_pixels_on_screen(client: &Client, css: &str, name: &str) -> f64 {
    let region = Rect::of(&bounding_box(client, css).await, viewport(client).await);
    let shot = what_webkit_drew(client, name).await;
    // Everything but the blue (give or take its smoothed edges) turns black,
    // the blue white: the white's mean times the area is the count.
    let out = Command::new("convert")
        .arg(region.of_image(&shot))
        .args(["-fuzz", "15%", "-fill", "black", "+opaque", BAR_BLUE])
        .args(["-fill", "white", "-opaque", BAR_BLUE])
        .args(["-format", "%[fx:mean*w*h]", "info:"])
        .output()
        .expect("ImageMagick convert runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("convert counted no pixels: {text:?}"))
}

/// A chart stretched even by half again covers more than twice its bars' pixels.
fn assert_at_natural_size(bar_pixels: f64, where_: &str) {
    let ratio = bar_pixels / BAR_PIXELS;
    assert!(
        (0.85..=1.15).contains(&ratio),
        "the chart {where_} shows {bar_pixels} pixels of bars, {ratio:.2}× its own {BAR_PIXELS}: \
         it is not drawn at its natural size"
    );
}

/// Screenshots what the user sees into `name`, comparing the screen with the
/// page over the whole window and closely at `css`, called `what`.
async fn screenshot_part(client: &Client, name: &str, what: &str, css: &str) {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(client).await;
    let part = Rect::of(&bounding_box(client, css).await, size);
    screen_shows_the_page(
        client,
        &shots.join(name),
        &[("window", Rect::window(size)), (what, part)],
    )
    .await;
}

/// Scrolls the step card into view and screenshots what the user sees.
async fn screenshot_the_step(client: &Client, name: &str) {
    screenshot_the_step_at(client, name, ".step-card").await;
}

/// The same, comparing the screen with the page closely at `part` (a running
/// step's card holds a spinner, which moves between the two pictures).
async fn screenshot_the_step_at(client: &Client, name: &str, part: &str) {
    run_script(
        client,
        "document.querySelector('.step').scrollIntoView({ block: 'start' }); return true",
    )
    .await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(client).await;
    let card = Rect::of(&bounding_box(client, part).await, size);
    let shot = shots.join(name);
    screen_shows_the_page(
        client,
        &shot,
        &[("window", Rect::window(size)), (part, card)],
    )
    .await;
    assert!(
        region_deviation(&shot, card) > 0.05,
        "the step is blank on the screen"
    );
}

/// A question whose first try fails: the window shows why in words, the second
/// try, and the answer; and the conversation is saved as it was shown.
#[tokio::test(flavor = "multi_thread")]
async fn an_analysis_recovers_from_a_failed_try_and_is_saved() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![
        script_reply(BROKEN_SCRIPT),
        script_reply(TOTALS_SCRIPT),
        vec![ANSWER.to_owned()],
    ]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);

    let shown = analyse_the_sales_table(&client, &profile).await;
    assert_two_tries_and_the_answer(&shown);
    // Try 2 was asked with try 1's error, as the agent promises.
    let requests = server.chat_requests();
    assert_eq!(requests.len(), 3, "two scripts and the answer");
    let fix = requests[1]["messages"].to_string();
    assert!(fix.contains("NameError"), "{fix}");

    let saved = profile.saved_conversation();
    let types: Vec<&str> = saved.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"question"));
    assert_eq!(types.last(), Some(&"step_ended"));
    let answer = saved
        .iter()
        .find(|m| m["type"] == "answer")
        .expect("the answer is saved");
    assert_eq!(answer["text"], ANSWER);
    assert_eq!(saved.last().unwrap()["state"], "done");

    // The answer's chart is shown: an image that really loaded, at its size.
    let chart = wait_until(
        &client,
        "the answer's chart to load",
        "const img = document.querySelector('.step-card > .artifacts img');
         if (!img) return false;
         img.scrollIntoView({ block: 'center' });
         return img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight, img.alt] : false",
        Duration::from_secs(15),
    )
    .await;
    assert_eq!(
        chart,
        json!([CHART_SIZE.0, CHART_SIZE.1, "sales_by_region.png"])
    );
    // The tiny chart is drawn at its own size, not stretched over the card and
    // blurred: its bars cover on the screen as many pixels as in the picture.
    let img = ".step-card > .artifacts img";
    let in_card = bar_pixels_on_screen(&client, img, "chart-in-card.png").await;
    assert_at_natural_size(in_card, "in its card");
    // The enlarged view likewise.
    click(&client, ".step-card > .artifacts .figure-open").await;
    wait_until(
        &client,
        "the enlarged chart",
        "const img = document.querySelector('#lightbox-img');
         return document.querySelector('#lightbox').open && img.complete && img.naturalWidth > 0",
        Duration::from_secs(10),
    )
    .await;
    let enlarged = bar_pixels_on_screen(&client, "#lightbox-img", "chart-enlarged.png").await;
    assert_at_natural_size(enlarged, "enlarged");
    press(&client, ESCAPE).await;
    wait_until(
        &client,
        "the enlarged chart to close",
        "return !document.querySelector('#lightbox').open",
        Duration::from_secs(10),
    )
    .await;

    // "What was sent" on try 1 is word for word what the model server got.
    let sent = run_script(
        &client,
        "const d = document.querySelector('.try-sent');
         d.open = true;
         return [d.hidden, d.querySelector('.sent-note').textContent, d.querySelector('.sent-text').textContent]",
    )
    .await;
    assert_eq!(sent[0], false, "try 1 shows what was sent");
    assert!(
        sent[1].as_str().unwrap().contains("never the file"),
        "{sent}"
    );
    let messages = requests[0]["messages"].as_array().unwrap();
    let said = |role: &str| {
        messages
            .iter()
            .find(|m| m["role"] == role)
            .and_then(|m| m["content"].as_str())
            .unwrap_or_else(|| panic!("a {role} message in {messages:?}"))
            .to_owned()
    };
    assert_eq!(
        sent[2].as_str().unwrap(),
        format!(
            "Instructions:\n{}\n\nMessage:\n{}",
            said("system"),
            said("user")
        )
    );
    assert!(said("user").contains(QUESTION), "{}", said("user"));
    // And it is saved with the try, so a reopened session shows it too.
    let try_started = saved.iter().find(|m| m["type"] == "try_started").unwrap();
    assert_eq!(
        try_started["sent"]["prompt"].as_str(),
        Some(said("user").as_str())
    );

    screenshot_the_step(&client, "analysis-two-tries.png").await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// An answer's suggested follow-up questions show as buttons under it; one
/// click asks that question in the same session, as if it had been typed.
#[tokio::test(flavor = "multi_thread")]
async fn a_suggested_follow_up_is_asked_with_one_click() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![
        script_reply(&totals_with_their_data()),
        vec![format!(
            "{ANSWER}\n\nFollow-up questions:\n- Which region sold the least?\n- How much did North sell?\n"
        )],
        script_reply(TOTALS_SCRIPT),
        vec!["North sold 220.".to_owned()],
    ]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let first = analyse_the_sales_table(&client, &profile).await;
    assert_eq!(
        first["answer"], ANSWER,
        "the questions are not part of the answer"
    );
    let offered = wait_until(
        &client,
        "the follow-up questions under the answer",
        "const b = [...document.querySelectorAll('.step .follow-up')];
         return b.length > 0 && b.map((x) => x.textContent)",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        offered,
        json!(["Which region sold the least?", "How much did North sell?"])
    );
    // The chart offers the table it was drawn from, which is not listed again.
    let files = run_script(
        &client,
        "const a = document.querySelector('.step-card > .artifacts');
         return [[...a.querySelectorAll('.figure-data')].map((l) => [l.textContent, l.getAttribute('download')]),
                 a.querySelectorAll('.chip').length]",
    )
    .await;
    assert_eq!(
        files,
        json!([[["Data (sales_by_region.csv)", "sales_by_region.csv"]], 0])
    );
    screenshot_part(
        &client,
        "follow-up-questions.png",
        "follow-ups",
        ".step .follow-ups",
    )
    .await;
    click(&client, ".step .follow-up:nth-of-type(2)").await;
    let second = wait_until(
        &client,
        "the follow-up asked and answered",
        "const s = [...document.querySelectorAll('.step')];
         if (s.length !== 2 || s[1].dataset.state !== 'done') return false;
         return [s[1].querySelector('.question-text').textContent,
                 s[1].querySelector('.step-answer').textContent]",
        Duration::from_secs(90),
    )
    .await;
    assert_eq!(
        second,
        json!(["How much did North sell?", "North sold 220."])
    );
    // Asked in the same session, with the conversation so far.
    let asked = server.chat_requests();
    assert_eq!(asked.len(), 4, "two scripts and two answers");
    let follow_up_prompt = asked[2]["messages"].to_string();
    assert!(
        follow_up_prompt.contains("How much did North sell?"),
        "{follow_up_prompt}"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// "Edit and run": the analyst opens a try's code, edits it in place with the
/// keyboard and runs it with Ctrl+Enter; a new step asks the same question
/// with their code as its first try (no model call for it), and is answered.
#[tokio::test(flavor = "multi_thread")]
async fn a_tries_code_edited_in_the_window_runs_as_the_next_step() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![
        script_reply(TOTALS_SCRIPT),
        vec![ANSWER.to_owned()],
        vec!["North sold 220.".to_owned()],
    ]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let first = analyse_the_sales_table(&client, &profile).await;
    assert_eq!(first["answer"], ANSWER);
    click(&client, ".step .try-code-box > summary").await;
    click(&client, ".step .code-edit").await;
    wait_until(
        &client,
        "the code in a text box, focused",
        "const i = document.activeElement;
         return i && i.classList.contains('try-code-input') && i.value.startsWith('import csv')",
        Duration::from_secs(5),
    )
    .await;
    // Ctrl+A (U+E009 is Control, U+E000 lets go), the new code, then Ctrl+Enter.
    let mine = "import csv\nprint('North', sum(int(r['sales']) for r in csv.DictReader(open(main_file)) if r['region'] == 'North'))";
    press(&client, "\u{E009}a\u{E000}").await;
    // Enter (U+E007) types a new line in the box; only Ctrl+Enter runs.
    press(&client, &mine.replace('\n', "\u{E007}")).await;
    screenshot_part(
        &client,
        "code-edited.png",
        "code editor",
        ".step .code-editor",
    )
    .await;
    press(&client, "\u{E009}\u{E007}\u{E000}").await;
    let second = wait_until(
        &client,
        "the edited code's step to end",
        "const s = [...document.querySelectorAll('.step')];
         if (s.length !== 2 || s[1].dataset.state === 'running') return false;
         return [s[1].dataset.state,
                 s[1].querySelector('.question-text').textContent,
                 s[1].querySelector('.try-label').textContent,
                 s[1].querySelector('.try-code').textContent,
                 s[1].querySelector('.step-answer').textContent]",
        Duration::from_secs(90),
    )
    .await;
    assert_eq!(
        second,
        json!([
            "done",
            QUESTION,
            "Try 1 of 5 · your code",
            mine,
            "North sold 220."
        ])
    );
    assert_eq!(
        server.chat_requests().len(),
        3,
        "the first step's script and answer, then only the answer for the analyst's code"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// The workbook profile cards of the window, finished ones only: for each, the
/// sentence saying which sheet and row were read, the sheets offered, and the
/// preview's column names and first row.
const WORKBOOK_CARDS: &str = "
    return [...document.querySelectorAll('.run-card')]
      .filter((c) => c.dataset.phase === 'finished' && c.querySelector('.table-choice-used'))
      .map((c) => [
        c.querySelector('.table-choice-used').textContent,
        [...c.querySelectorAll('.table-choice-sheet option')].map((o) => o.value),
        [...c.querySelectorAll('.preview-table thead th')].map((th) => th.textContent),
        [...c.querySelectorAll('.preview-table tbody tr:first-child td')].map((td) => td.textContent),
      ]);";

/// A workbook dropped in: its card says which sheet was read and offers the
/// others; choosing "Detail" and clicking "Read this sheet" profiles it again
/// from that sheet, its column names found under the sheet's title, and the
/// choice is saved with the session.
#[tokio::test(flavor = "multi_thread")]
async fn another_sheet_chosen_on_a_workbooks_card_is_profiled_and_saved() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let image = std::env::var("SANDPIPER_TEST_IMAGE").unwrap_or_else(|_| "python:3.11-slim".into());
    // Workbooks are read with pandas and openpyxl, which the analysis image
    // has: made ready here rather than while the window waits.
    let docker = sandpiper::docker::connect(&sandpiper::settings::DockerSettings::default())
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()))
        .docker;
    sandpiper::docker::ensure_variant_image(
        &docker,
        &image,
        sandpiper::docker::image_variants::ImageVariant::Analysis,
        sandpiper::settings::PackageSettings::default()
            .ca_bundle
            .as_deref(),
        &sandpiper::events::Discard,
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let temp = tempfile::tempdir().unwrap();
    let workbook = temp.path().join("regions.xlsx");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/regions.xlsx"),
        &workbook,
    )
    .unwrap();
    let state_dir = temp.path().join("data").join("app.sandpiper.desktop");
    std::fs::create_dir_all(&state_dir).unwrap();
    std::fs::write(
        state_dir.join("settings.json"),
        json!({ "settings": { "sandbox": { "image": image } } }).to_string(),
    )
    .unwrap();
    let _containers = RemovesSessionContainers(state_dir.clone());
    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    drop_once_docker_is_ready(&client, &[&workbook]).await;
    let first = wait_until(
        &client,
        "the workbook's profile, read from its first sheet",
        &format!(
            "const cards = (() => {{ {WORKBOOK_CARDS} }})(); return cards.length === 1 && cards[0]"
        ),
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(
        first,
        json!([
            "Read from sheet \"Summary\", column names on row 1. This workbook has 2 sheets.",
            ["Summary", "Detail"],
            ["Region", "Total"],
            ["North", "255"],
        ])
    );

    run_script(
        &client,
        "const s = document.querySelector('.table-choice-sheet');
         s.value = 'Detail'; s.dispatchEvent(new Event('change')); return true",
    )
    .await;
    click(&client, ".table-choice button[type='submit']").await;
    let second = wait_until(
        &client,
        "the profile of the chosen sheet",
        &format!(
            "const cards = (() => {{ {WORKBOOK_CARDS} }})(); return cards.length === 2 && cards[1]"
        ),
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(
        second,
        json!([
            "Read from sheet \"Detail\", column names on row 3. This workbook has 2 sheets.",
            ["Summary", "Detail"],
            ["Store", "Region", "Units", "Price"],
            ["S01", "South", "10", "3.5"],
        ])
    );
    let store = sandpiper::store::SessionStore::in_state_dir(&state_dir);
    let sessions = store.list().unwrap().sessions;
    assert_eq!(
        sessions.len(),
        1,
        "the dropped workbook started one session"
    );
    let saved = store.read(&sessions[0].id).unwrap();
    assert_eq!(
        saved.meta.datasets[0].table,
        sandpiper::profile_data::TableChoice {
            sheet: Some("Detail".into()),
            header_row: None,
        },
        "the sheet is saved, its header row left to Sandpiper as the analyst did"
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    run_script(
        &client,
        "[...document.querySelectorAll('.run-card')].pop().scrollIntoView({ block: 'start' }); return true",
    )
    .await;
    let size = viewport(&client).await;
    screen_shows_the_page(
        &client,
        &shots.join("workbook-sheet-chosen.png"),
        &[("window", Rect::window(size))],
    )
    .await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// The app closed and started again: Home lists the session, and opening it
/// shows the same question, tries and answer, drawn from what was saved.
#[tokio::test(flavor = "multi_thread")]
async fn a_session_reopens_from_home_after_a_restart() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![
        script_reply(BROKEN_SCRIPT),
        script_reply(TOTALS_SCRIPT),
        vec![ANSWER.to_owned()],
    ]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let live = analyse_the_sales_table(&client, &profile).await;
    assert_two_tries_and_the_answer(&live);
    let profiled = wait_until(
        &client,
        "the Quick profile's first rows",
        FIRST_ROWS_OF_THE_PROFILE,
        Duration::from_secs(60),
    )
    .await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
    profile.wait_until_no_app_holds_the_session().await;

    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let listed = wait_until(
        &client,
        "Home to list the saved session",
        "const b = document.querySelector('#recent-sessions .recent-item');
         return b && !document.querySelector('#recent-sessions').hidden
           ? [b.querySelector('.recent-title').textContent, b.querySelector('.recent-meta').textContent]
           : false",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(listed[0], "Which region sold the most", "{listed}");
    assert!(
        listed[1]
            .as_str()
            .unwrap()
            .starts_with("sales.csv · 1 question · "),
        "{listed}"
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(&client).await;
    let recent = Rect::of(&bounding_box(&client, "#recent-sessions").await, size);
    let shot = shots.join("home-recent-sessions.png");
    screen_shows_the_page(
        &client,
        &shot,
        &[("window", Rect::window(size)), ("recent sessions", recent)],
    )
    .await;
    assert!(
        region_deviation(&shot, recent) > 0.02,
        "the recent sessions are blank on the screen"
    );
    click(&client, "#recent-sessions .recent-item").await;
    wait_until(
        &client,
        "the saved conversation",
        "const s = document.querySelector('.step'); return s && s.dataset.state === 'done'",
        Duration::from_secs(20),
    )
    .await;
    let reopened = step_card_text(&client).await;
    assert_eq!(
        reopened, live,
        "the reopened step shows what the live one did"
    );
    // The file's profile was kept with the session: its card, with the same
    // first rows, is back at once, nothing profiled again.
    let kept = run_script(&client, FIRST_ROWS_OF_THE_PROFILE).await;
    assert_eq!(
        kept, profiled,
        "the reopened profile shows what the live one did"
    );
    assert_eq!(profiled[0], "Quick profile of sales.csv", "{profiled}");
    assert_eq!(profiled[1][0], json!(["North", "100"]), "{profiled}");
    run_script(
        &client,
        "document.querySelector('.run-card').scrollIntoView({ block: 'start' }); return true",
    )
    .await;
    let card = Rect::of(&bounding_box(&client, ".run-card").await, size);
    screen_shows_the_page(
        &client,
        &shots.join("session-reopened-profile.png"),
        &[("window", Rect::window(size)), ("kept profile", card)],
    )
    .await;
    let title = run_script(
        &client,
        "return document.querySelector('#session-title').textContent",
    )
    .await;
    assert_eq!(title, listed[0], "the top bar names the open session");
    // The session is open again: the question box asks in it.
    wait_until(
        &client,
        "the question box for the reopened session",
        "return !document.querySelector('#ask-form').hidden",
        Duration::from_secs(5),
    )
    .await;
    screenshot_the_step(&client, "session-reopened.png").await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// The finished Quick profile card's title and its first rows' cells, or
/// false while there is none.
const FIRST_ROWS_OF_THE_PROFILE: &str = "
    const card = [...document.querySelectorAll('.run-card')]
      .find((c) => c.dataset.phase === 'finished' && c.querySelector('.preview-table tbody tr'));
    if (!card) return false;
    const rows = [...card.querySelectorAll('.preview-table tbody tr')]
      .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    return [card.querySelector('.card-title').textContent, rows];";

/// The app, opened on a data folder that already holds one saved session.
struct AppWithASavedSession {
    temp: tempfile::TempDir,
    state_dir: PathBuf,
    store: sandpiper::store::SessionStore,
    id: sandpiper::SessionId,
    driver: Driver,
    client: Client,
    app: AppProcess,
}

impl AppWithASavedSession {
    async fn open(title: &str) -> Self {
        Self::open_with(title, |_| {}).await
    }

    /// The same, with what `seed` records in the session before the app starts.
    async fn open_with(title: &str, seed: impl FnOnce(&sandpiper::store::SessionHandle)) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let state_dir = temp.path().join("data").join("app.sandpiper.desktop");
        let store = sandpiper::store::SessionStore::in_state_dir(&state_dir);
        let handle = store
            .create(sandpiper::SessionId::new(), Some(title), None)
            .unwrap();
        seed(&handle);
        let id = handle.id().clone();
        // Its lock goes with it: the app opens the session next.
        drop(handle);
        let (driver, port) = start_driver(temp.path());
        let client = open_app(port).await;
        let app = app_process(&driver);
        Self {
            temp,
            state_dir,
            store,
            id,
            driver,
            client,
            app,
        }
    }
}

/// A session reopened after its files moved on: one banner per file says in
/// words what happened (an edited file whose copy the session kept, a file
/// no longer where it was, with "Locate it…"); the file's kept profile is
/// back with its column's description, which the analyst edits in place with
/// the keyboard and which is saved with the session.
#[tokio::test(flavor = "multi_thread")]
async fn a_reopened_session_says_which_files_changed_and_keeps_their_descriptions() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let originals = tempfile::tempdir().unwrap();
    let sales = originals.path().join("sales.csv");
    let stores = originals.path().join("stores.csv");
    std::fs::write(&sales, "region,sales\nNorth,100\nSouth,250\n").unwrap();
    std::fs::write(&stores, "store,city\nS01,Leeds\n").unwrap();
    let saved = AppWithASavedSession::open_with("Sales by region", |session| {
        // sales.csv copied into the session; stores.csv only referenced.
        session.add_dataset(&sales, 1024 * 1024).unwrap();
        session.add_dataset(&stores, 0).unwrap();
        session
            .describe_column("sales.csv", "sales", "in euros")
            .unwrap();
    })
    .await;
    let (store, id) = (&saved.store, &saved.id);
    let dataset = store.read(id).unwrap().meta.datasets[0].clone();
    let profile: sandpiper::profile_data::DatasetProfile = serde_json::from_value(json!({
        "file_name": "sales.csv", "size_bytes": 36, "rows": 2, "engine": "standard_library",
        "estimated": false, "delimiter": "\",\"", "format": null, "notes": [],
        "columns": [
            { "name": "region", "kind": "text", "count": 2, "missing": 0, "missing_share": 0.0,
              "distinct": 2, "distinct_at_least": false, "estimated": false, "numbers": null,
              "top_values": [{ "value": "North", "count": 1 }, { "value": "South", "count": 1 }],
              "date_range": null },
            { "name": "sales", "kind": "integer", "count": 2, "missing": 0, "missing_share": 0.0,
              "distinct": 2, "distinct_at_least": false, "estimated": false,
              "numbers": { "mean": 175.0, "std": 106.07, "min": 100.0, "q25": 137.5,
                           "median": 175.0, "q75": 212.5, "max": 250.0, "histogram": null },
              "top_values": [], "date_range": null },
        ],
        "first_rows": [["North", "100"], ["South", "250"]],
    }))
    .unwrap();
    store.keep_profile(id, &dataset, &profile).unwrap();
    // While the app shows Home: one file is edited, the other moved away.
    std::fs::write(&sales, "region,sales\nNorth,999\n").unwrap();
    std::fs::rename(&stores, originals.path().join("stores-2023.csv")).unwrap();

    let (client, driver, app) = (saved.client, saved.driver, saved.app);
    wait_until(
        &client,
        "Home to list the session",
        "return document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(20),
    )
    .await;
    click(&client, "#recent-sessions .recent-item").await;
    let banners = wait_until(
        &client,
        "a banner for each file that changed or moved",
        "const b = [...document.querySelectorAll('.dataset-banner')];
         return b.length === 2 && b.map((x) => [x.dataset.dataset,
           x.querySelector('.dataset-banner-text').textContent,
           [...x.querySelectorAll('button')].map((btn) => btn.textContent.trim())])",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(banners[0][0], "sales.csv");
    assert_eq!(
        banners[0][1],
        "sales.csv has changed since this session used it: answers may differ from the file \
         as it is now. This session goes on with the copy it kept."
    );
    assert_eq!(banners[1][0], "stores.csv");
    assert_eq!(
        banners[1][1],
        json!(format!(
            "stores.csv is no longer at {}. Locate it to go on with this session.",
            stores.display()
        ))
    );
    assert!(
        banners[1][2]
            .as_array()
            .unwrap()
            .contains(&json!("Locate it…")),
        "{banners}"
    );
    screenshot_part(
        &client,
        "reopened-banners.png",
        "banners",
        ".dataset-banners",
    )
    .await;

    // The kept profile's "sales" card shows what the analyst wrote; they add
    // to it from the keyboard: Enter saves.
    let describe = "[aria-label='Edit the description of sales']";
    let written = wait_until(
        &client,
        "the kept profile with the column's description",
        "const d = [...document.querySelectorAll('.profile-description')]
           .find((p) => !p.hidden && p.textContent.length > 0);
         return d ? d.textContent : false",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(written, "in euros");
    click(&client, describe).await;
    wait_until(
        &client,
        "the description box, focused, holding the saved text",
        "const i = document.activeElement;
         return i && i.classList.contains('profile-description-input') && i.value === 'in euros'",
        Duration::from_secs(5),
    )
    .await;
    screenshot_part(
        &client,
        "column-description-editing.png",
        "description box",
        ".profile-description-editor:not([hidden])",
    )
    .await;
    press(&client, &format!(", excluding VAT{ENTER}")).await;
    wait_until(
        &client,
        "the saved description on the card",
        "return [...document.querySelectorAll('.profile-description')]
           .some((p) => !p.hidden && p.textContent === 'in euros, excluding VAT')",
        Duration::from_secs(10),
    )
    .await;
    let meta = store.read(id).unwrap().meta;
    assert_eq!(
        meta.datasets[0]
            .column_descriptions
            .get("sales")
            .map(String::as_str),
        Some("in euros, excluding VAT"),
        "saved with the session"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Home → Move to trash, asked twice: the session leaves the list and its
/// folder is in the trash (the user's, here under the test's XDG data folder),
/// not deleted for good.
#[tokio::test(flavor = "multi_thread")]
async fn home_moves_a_session_to_the_trash_after_asking_twice() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let saved = AppWithASavedSession::open("Last year's sales").await;
    let (temp, state_dir, id) = (&saved.temp, &saved.state_dir, &saved.id);
    let (client, driver, app) = (saved.client, saved.driver, saved.app);
    wait_until(
        &client,
        "Home to list the session",
        "const b = document.querySelector('#recent-sessions .recent-title');
         return b && b.textContent === \"Last year's sales\"",
        Duration::from_secs(20),
    )
    .await;
    let trash = "#recent-sessions .recent-trash";
    click(&client, trash).await;
    let asked = run_script(
        &client,
        &format!("return document.querySelector('{trash}').textContent"),
    )
    .await;
    assert_eq!(asked, "Move to trash? Click again");
    assert!(
        state_dir.join("sessions").join(id.as_str()).is_dir(),
        "one click moves nothing"
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(&client).await;
    let recent = Rect::of(&bounding_box(&client, "#recent-sessions").await, size);
    screen_shows_the_page(
        &client,
        &shots.join("home-trash-asked.png"),
        &[("recent sessions", recent)],
    )
    .await;
    click(&client, trash).await;
    wait_until(
        &client,
        "the list without the session",
        "return document.querySelector('#recent-sessions').hidden &&
                document.querySelector('#toasts').textContent.includes('Moved to the trash')",
        Duration::from_secs(10),
    )
    .await;
    assert!(!state_dir.join("sessions").join(id.as_str()).exists());
    let trashed = temp.path().join("data/Trash/files").join(id.as_str());
    assert!(
        trashed.join("session.json").is_file(),
        "the session is in the trash at {}",
        trashed.display()
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Stop while a try's code runs: its output so far is shown as it prints; the
/// analyst goes Home and reopens the session while it runs, and Stop there ends
/// the step as stopped, saved so.
#[tokio::test(flavor = "multi_thread")]
async fn stop_ends_a_running_analysis() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![script_reply(
        "import time\nprint('Reading every row...', flush=True)\ntime.sleep(120)",
    )]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    ask_about_the_sales_table(&client, &profile, "Go through every row").await;
    // What the code prints shows while it still runs.
    wait_until(
        &client,
        "the running try's output",
        "const o = document.querySelector('.step[data-state=\"running\"] .try-output');
         return o && !o.hidden && o.textContent === 'Reading every row...'",
        Duration::from_secs(60),
    )
    .await;
    screenshot_the_step_at(&client, "analysis-running.png", ".step-timeline").await;
    // Home and back while the code runs: the session opens again with its step
    // still running here (this window still holds it), and can be stopped.
    click(&client, "#home-button").await;
    wait_until(
        &client,
        "Home with the session",
        "return !document.querySelector('#empty-state').hidden &&
                document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(10),
    )
    .await;
    click(&client, "#recent-sessions .recent-item").await;
    wait_until(
        &client,
        "the reopened session with its step still running",
        "const s = document.querySelector('.step');
         return s && s.dataset.state === 'running' && !s.querySelector('.step-stop').hidden
           && document.querySelector('#ask-button').disabled",
        Duration::from_secs(10),
    )
    .await;
    let started = Instant::now();
    click(&client, ".step-stop").await;
    let shown = wait_until(
        &client,
        "the step to stop",
        "const s = document.querySelector('.step');
         return s.dataset.state === 'cancelled'
           ? [s.querySelector('.step-status').textContent, s.querySelector('.step-stop').hidden,
              document.querySelector('#ask-button').disabled]
           : false",
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        shown,
        json!(["Stopped", true, false]),
        "stopped, and the box asks again"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "Stop took {:?}: the code was left to run",
        started.elapsed()
    );
    let saved = profile.saved_conversation();
    assert_eq!(saved.last().unwrap()["type"], "step_ended");
    assert_eq!(saved.last().unwrap()["state"], "cancelled");
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Code that imports a package Sandpiper does not install by itself (not a
/// well-known data package) makes the step ask; Install installs it and the
/// same code runs again, without another try of the model.
#[tokio::test(flavor = "multi_thread")]
async fn a_package_off_the_well_known_list_is_asked_about_in_the_step() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![
        script_reply("import six\nprint('six is here:', six.PY3)"),
        vec!["six is here.".to_owned()],
    ]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    ask_about_the_sales_table(&client, &profile, "Is six there?").await;
    let asked = wait_until(
        &client,
        "the install question in the step",
        "const b = document.querySelector('.step .install-question');
         return b && !b.hidden ? b.querySelector('.install-question-text').textContent : false",
        Duration::from_secs(60),
    )
    .await;
    let asked = asked.as_str().unwrap_or_default().to_owned();
    assert!(
        asked.contains("\u{201c}six\u{201d}") && asked.contains("Install it from PyPI"),
        "{asked}"
    );
    let traceback_shown = run_script(
        &client,
        "const o = document.querySelector('.step .try-output');
         return Boolean(o && o.offsetParent !== null && o.textContent.includes('ModuleNotFoundError'))",
    )
    .await;
    assert_eq!(
        traceback_shown,
        json!(false),
        "the failed import's traceback is not shown while the step asks"
    );
    // Only the question is compared with the page: the step's spinner and
    // what loads above it move between the two pictures.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let question = Rect::of(
        &bounding_box(&client, ".install-question").await,
        viewport(&client).await,
    );
    screen_shows_the_page(
        &client,
        &shots.join("install-question.png"),
        &[(".install-question", question)],
    )
    .await;
    // Answered by keys alone: the question has the focus, Tab reaches
    // Install, Enter answers; the focus then goes back where the analyst is
    // (Stop, while the step goes on: the question box is disabled meanwhile).
    wait_until(
        &client,
        "the focus on the question",
        "return document.activeElement.matches('.step .install-question')",
        Duration::from_secs(10),
    )
    .await;
    press(&client, TAB).await;
    let at = run_script(&client, "return document.activeElement.className").await;
    assert!(
        at.as_str().unwrap_or_default().contains("install-yes"),
        "Tab from the question reaches Install: {at}"
    );
    press(&client, ENTER).await;
    wait_until(
        &client,
        "the question gone and the focus back on Stop",
        "const s = document.querySelector('.step');
         return s.querySelector('.install-question').hidden
           && document.activeElement.matches('.step .step-stop, #ask-input')",
        Duration::from_secs(30),
    )
    .await;
    let ended = wait_until(
        &client,
        "the step to end after the install",
        "const s = document.querySelector('.step');
         return s && s.dataset.state !== 'running'
           ? [s.dataset.state, s.querySelector('.install-question').hidden] : false",
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(ended, json!(["done", true]), "answered, the question gone");
    assert_eq!(
        server.chat_requests().len(),
        2,
        "one script and the answer: the install spent no try"
    );
    let saved = profile.saved_conversation();
    assert!(
        saved
            .iter()
            .any(|m| m["type"] == "execution" && m["stdout"] == "six is here: True\n"),
        "{saved:?}"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// A click on the open session's name renames it: Enter saves, and Home lists
/// it under the new name.
#[tokio::test(flavor = "multi_thread")]
async fn the_open_session_is_renamed_from_the_top_bar() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let saved = AppWithASavedSession::open("Sales").await;
    let (store, id) = (&saved.store, &saved.id);
    let (client, driver, app) = (saved.client, saved.driver, saved.app);
    wait_until(
        &client,
        "Home to list the session",
        "return document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(20),
    )
    .await;
    click(&client, "#recent-sessions .recent-item").await;
    wait_until(
        &client,
        "the session's name in the top bar",
        "const t = document.querySelector('#session-title'); return !t.hidden && t.textContent === 'Sales'",
        Duration::from_secs(10),
    )
    .await;
    click(&client, "#session-title").await;
    wait_until(
        &client,
        "the name to turn into a field",
        "const i = document.querySelector('#session-title-input');
         return !i.hidden && document.activeElement === i && i.value === 'Sales'",
        Duration::from_secs(5),
    )
    .await;
    // End (U+E010), five Backspaces (U+E003) for "Sales", the new name, and
    // Enter (U+E007), as a user would type them. (WebDriver's own clear would
    // leave the field, which keeps the old name.)
    let keys = format!(
        "\u{E010}{}Sales 2025, by region\u{E007}",
        "\u{E003}".repeat("Sales".len())
    );
    fill(&client, "#session-title-input", &keys).await;
    wait_until(
        &client,
        "the new name in the top bar",
        "const t = document.querySelector('#session-title');
         return !t.hidden && t.textContent === 'Sales 2025, by region' &&
                document.querySelector('#session-title-input').hidden",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        store.read(id).unwrap().meta.title,
        "Sales 2025, by region",
        "the new name is saved"
    );
    click(&client, "#home-button").await;
    wait_until(
        &client,
        "Home to list the new name",
        "const b = document.querySelector('#recent-sessions .recent-title');
         return b && b.textContent === 'Sales 2025, by region'",
        Duration::from_secs(10),
    )
    .await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// A question with no API key for the chosen provider: the step ends saying so
/// in plain words, and "Open Settings" opens Settings where the key goes.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_key_ends_the_step_with_open_settings() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::start();
    let profile = AnalysisProfile::new(&server);
    // The profile's settings, with Claude chosen and no key anywhere.
    let store = profile.state_dir().join("settings.json");
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    saved["settings"]["llm"] = json!({ "provider": "anthropic" });
    std::fs::write(&store, saved.to_string()).unwrap();
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    ask_about_the_sales_table(&client, &profile, "How many rows?").await;
    let shown = wait_until(
        &client,
        "the step to end with its error",
        "const s = document.querySelector('.step');
         const e = s && s.querySelector('.step-error');
         return s && s.dataset.state !== 'running' && !e.hidden
           ? [s.dataset.state, e.querySelector('strong').textContent, e.querySelector('.error-fix').textContent]
           : false",
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        shown,
        json!([
            "failed",
            "Sandpiper has no API key for Claude (Anthropic).",
            "Open Settings"
        ]),
    );
    click(&client, ".step .error-fix").await;
    wait_until(
        &client,
        "Settings to open",
        "return document.querySelector('#settings-dialog').open",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        server.chat_requests().is_empty(),
        "nothing was sent to any model"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

// ---------------------------------------------------------------------------
// Export, the containers panel, keeping a session's environment, the theme

const EXPORT_QUESTION: &str = "How did sales change month by month?";

/// One answered step, recorded as the agent records it.
fn record_an_answered_step(session: &sandpiper::store::SessionHandle) {
    record_an_answered_step_that_printed(session, "March 310\n", None);
}

/// The same, its code having printed `stdout`, its answer showing `chart`
/// (a PNG file, copied where the step's files go) when there is one.
fn record_an_answered_step_that_printed(
    session: &sandpiper::store::SessionHandle,
    stdout: &str,
    chart: Option<&Path>,
) {
    use sandpiper::conversation::{Message, Provenance, StepState};
    let step_id = sandpiper::ids::StepId::new();
    let at = sandpiper::conversation::now();
    let artifacts: Vec<sandpiper::Artifact> = chart
        .map(|png| {
            let path = session
                .artifacts_dir(&step_id, 1)
                .unwrap()
                .join("monthly_sales.png");
            let size_bytes = std::fs::copy(png, &path).unwrap();
            sandpiper::Artifact {
                name: "monthly_sales.png".into(),
                path,
                mime: "image/png".into(),
                size_bytes,
            }
        })
        .into_iter()
        .collect();
    let code = "print('March', 310)".to_owned();
    for message in [
        Message::Question {
            step_id: step_id.clone(),
            text: EXPORT_QUESTION.into(),
            datasets: vec!["sales.csv".into()],
            at,
        },
        Message::TryStarted {
            step_id: step_id.clone(),
            try_number: 1,
            max_tries: 5,
            call_id: sandpiper::CallId::new(),
            provider: sandpiper::ProviderId::OpenAiCompatible,
            model: chat_server::MODEL.into(),
            sent: None,
            by_analyst: false,
            at,
        },
        Message::Code {
            step_id: step_id.clone(),
            try_number: 1,
            code: code.clone(),
            at,
        },
        Message::Execution {
            step_id: step_id.clone(),
            try_number: 1,
            run_id: sandpiper::RunId::new(),
            outcome: sandpiper::Outcome::Success,
            summary: "Finished in 0.4 s.".into(),
            stdout: stdout.into(),
            stderr_tail: String::new(),
            output_truncated: false,
            error: None,
            duration_ms: 400,
            at,
        },
        Message::Answer {
            step_id: step_id.clone(),
            call_id: sandpiper::CallId::new(),
            text: "Sales rose every month; March was the best with 310.".into(),
            ungrounded: vec![],
            artifacts,
            provenance: Provenance {
                code,
                try_number: 1,
                image: "python:3.11-slim".into(),
                image_id: None,
                packages: vec![],
                datasets: vec![],
            },
            follow_ups: vec![],
            at,
        },
        Message::StepEnded {
            step_id: step_id.clone(),
            state: StepState::Done,
            tries: 1,
            input_tokens: 100,
            output_tokens: 20,
            duration_ms: 1_000,
            at,
        },
    ] {
        session.record(&message).unwrap();
    }
}

/// Answers the native save dialog the way a user does: types the whole path
/// of the file into its name field and presses Enter. Where no desktop portal
/// runs (here, under Xvfb) rfd shows zenity's GTK file chooser; xdotool types.
fn save_in_the_native_dialog(path: &Path) {
    let xdotool = |args: &[&str]| {
        let out = Command::new("timeout")
            .arg("30")
            .arg("xdotool")
            .args(args)
            .output()
            .expect("xdotool runs (scripts/test installs it)");
        assert!(
            out.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let found = xdotool(&["search", "--sync", "--onlyvisible", "--class", "zenity"]);
    let dialog = found
        .lines()
        .last()
        .expect("the save dialog's window")
        .to_owned();
    xdotool(&["windowfocus", "--sync", &dialog]);
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "20", &path.display().to_string()]);
    xdotool(&["key", "--clearmodifiers", "Return"]);
}

/// Export → HTML report on a saved session: the native save dialog asks where,
/// the report is written there and holds the question; the window says so.
#[tokio::test(flavor = "multi_thread")]
async fn the_html_report_of_a_saved_session_is_saved_where_the_dialog_says() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let saved = AppWithASavedSession::open_with("Monthly sales", record_an_answered_step).await;
    let temp = &saved.temp;
    let (client, driver, app) = (saved.client, saved.driver, saved.app);
    let client = &client;
    wait_until(
        client,
        "Home to list the saved session",
        "return document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(20),
    )
    .await;
    let hidden = run_script(
        client,
        "return document.querySelector('#export-wrap').hidden",
    )
    .await;
    assert_eq!(hidden, true, "Home has nothing to export");
    click(client, "#recent-sessions .recent-item").await;
    wait_until(
        client,
        "the saved step and the Export button",
        "const s = document.querySelector('.step');
         return s && s.dataset.state === 'done' && !document.querySelector('#export-wrap').hidden",
        Duration::from_secs(20),
    )
    .await;
    click(client, "#export-button").await;
    let offered = wait_until(
        client,
        "the export menu",
        "const m = document.querySelector('#export-menu');
         return !m.hidden && [...m.querySelectorAll('.menu-item-label')].map(e => e.textContent)",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        offered,
        json!([
            "HTML report",
            "Notebook",
            "Python script",
            "Everything (zip)"
        ])
    );
    let focused = run_script(
        client,
        "return document.activeElement.dataset.format || null",
    )
    .await;
    assert_eq!(focused, "html", "the menu takes the keyboard focus");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(client).await;
    let menu = Rect::of(&bounding_box(client, "#export-menu").await, size);
    screen_shows_the_page(
        client,
        &shots.join("export-menu.png"),
        &[("window", Rect::window(size)), ("export menu", menu)],
    )
    .await;

    let out_dir = temp.path().join("exports");
    std::fs::create_dir_all(&out_dir).unwrap();
    let report = out_dir.join("Monthly sales report.html");
    click(client, "#export-menu [data-format='html']").await;
    save_in_the_native_dialog(&report);
    let toast = wait_until(
        client,
        "the window to say the report is saved",
        "const t = [...document.querySelectorAll('#toasts .toast')].map(e => e.textContent)
           .find(t => t.includes('saved as'));
         return t || false",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(toast, "HTML report saved as Monthly sales report.html.");
    let html = std::fs::read_to_string(&report).expect("the report is where the dialog said");
    assert!(
        html.contains(EXPORT_QUESTION),
        "the report holds the question"
    );
    assert!(html.contains("March was the best"), "and the answer");
    screen_shows_the_page(
        client,
        &shots.join("export-saved.png"),
        &[("window", Rect::window(size))],
    )
    .await;
    client.clone().close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// "Save output…" on a try that printed 1,200 lines (the window draws the
/// latest 500): the native save dialog asks where, and the file holds every
/// line, in order; the window says where it went.
#[tokio::test(flavor = "multi_thread")]
async fn save_output_writes_every_line_of_a_tries_output_where_the_dialog_says() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let printed: String = (1..=1200)
        .map(|i| format!("row {i}: {}\n", i * 7))
        .collect();
    let saved = AppWithASavedSession::open_with("Long output", |session| {
        record_an_answered_step_that_printed(session, &printed, None)
    })
    .await;
    let temp = &saved.temp;
    let (client, driver, app) = (saved.client, saved.driver, saved.app);
    let client = &client;
    wait_until(
        client,
        "Home to list the saved session",
        "return document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(20),
    )
    .await;
    click(client, "#recent-sessions .recent-item").await;
    let drawn = wait_until(
        client,
        "the saved try's output, its latest lines drawn",
        "const s = document.querySelector('.step');
         const out = s && s.querySelector('.try-output');
         return s && s.dataset.state === 'done' && out && !out.hidden
           ? [out.textContent.split('\\n').length, s.querySelector('.output-note-text').textContent] : false",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(
        drawn,
        json!([500, "700 earlier lines hidden."]),
        "the window draws only the latest 500"
    );
    run_script(
        client,
        "document.querySelector('.try-output-actions').scrollIntoView({ block: 'center' }); return true",
    )
    .await;
    what_webkit_drew(client, "save-output-button.png").await;

    let out = temp.path().join("saved").join("All rows.txt");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    click(client, ".try-output-actions .output-save").await;
    save_in_the_native_dialog(&out);
    let toast = wait_until(
        client,
        "the window to say where the output went",
        "const t = [...document.querySelectorAll('#toasts .toast')].map(e => e.textContent)
           .find(t => t.startsWith('Output saved'));
         return t || false",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(toast, "Output saved as All rows.txt.");
    let text = std::fs::read_to_string(&out).expect("the output is where the dialog said");
    assert_eq!(text, printed, "every line the try printed, in order");
    what_webkit_drew(client, "save-output-saved.png").await;
    client.clone().close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// The session's containers as Docker has them, for the tests to check what
/// the window did.
async fn containers_of(
    state_dir: &Path,
    session: &str,
) -> Vec<sandpiper::session_container::ContainerInfo> {
    let engine = sandpiper::Engine::with_state_dir(Default::default(), state_dir.to_owned());
    engine
        .list_containers()
        .await
        .expect("Docker answers")
        .into_iter()
        .filter(|c| c.session.as_ref().is_some_and(|s| s.to_string() == session))
        .collect()
}

/// Drops the sales table on the window and waits until the session's
/// container is up (the window warms it while the analyst types). Returns the
/// session's id.
async fn a_session_with_its_environment_ready(
    client: &Client,
    profile: &AnalysisProfile,
) -> String {
    drop_once_docker_is_ready(client, &[&profile.csv]).await;
    let id = wait_until(
        client,
        "the file in the session",
        "const s = window.sandpiper.getState().session;
         return s && s.datasets.length === 1 ? s.id : false",
        Duration::from_secs(20),
    )
    .await;
    let id = id.as_str().unwrap().to_owned();
    // The file's Quick profile too, so nothing changes under the dialogs.
    wait_until(
        client,
        "the Quick profile to finish",
        "const items = window.sandpiper.getState().items;
         return items.some(i => i.type === 'run') && items.every(i => i.type !== 'run' || i.phase === 'finished')",
        Duration::from_secs(60),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !containers_of(&profile.state_dir(), &id)
        .await
        .iter()
        .any(|c| c.running)
    {
        assert!(
            Instant::now() < deadline,
            "the session's container never started"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    id
}

/// Settings → Manage containers: the session's container is listed with its
/// image, state, age and size; Remove (asked twice) takes it out of Docker and
/// out of the list.
#[tokio::test(flavor = "multi_thread")]
async fn the_containers_panel_lists_the_sessions_container_and_removes_it() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    // No question is asked: the server only fills in the Settings.
    let server = ChatServer::scripted(vec![vec![ANSWER.to_owned()]]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let session = a_session_with_its_environment_ready(&client, &profile).await;

    click(&client, SETTINGS_BUTTON).await;
    wait_until(
        &client,
        "the settings to load",
        SETTINGS_LOADED,
        Duration::from_secs(10),
    )
    .await;
    click(&client, "#settings-dialog [data-action='containers']").await;
    // Other Sandpiper containers on this Docker (other tests, other apps) are
    // listed too: the checks look at this session's line.
    let ours = format!(".container-line[data-session-id='{session}']");
    let line = wait_until(
        &client,
        "the panel to list the session's container",
        &format!(
            "const d = document.querySelector('#containers-dialog');
             const l = d.open && d.dataset.loaded === 'yes' && d.querySelector(\"{ours}\");
             return l ? {{ state: l.dataset.state, text: l.innerText,
                          summary: d.querySelector('#containers-summary').textContent }} : false"
        ),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(line["state"], "running", "{line}");
    let text = line["text"].as_str().unwrap();
    let image = std::env::var("SANDPIPER_TEST_IMAGE").unwrap_or_else(|_| "python:3.11-slim".into());
    assert!(text.contains(&image), "its image: {text}");
    assert!(text.contains("Running"), "its state: {text}");
    assert!(
        text.contains(" old") || text.contains("new"),
        "its age: {text}"
    );
    let summary = line["summary"].as_str().unwrap();
    assert!(
        summary.contains("running.") && summary.contains("container"),
        "{summary}"
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(&client).await;
    let panel = Rect::of(&bounding_box(&client, "#containers-dialog").await, size);
    screen_shows_the_page(
        &client,
        &shots.join("containers-panel.png"),
        // At the panel only, as for any modal (see the keep-environment test).
        &[("containers panel", panel)],
    )
    .await;

    // One click only asks; the second removes.
    let remove = format!("{ours} .container-remove");
    click(&client, &remove).await;
    let asked = run_script(
        &client,
        &format!("return document.querySelector(\"{remove}\").textContent"),
    )
    .await;
    assert_eq!(asked, "Remove? Click again");
    assert_eq!(
        containers_of(&profile.state_dir(), &session).await.len(),
        1,
        "one click removes nothing"
    );
    click(&client, &remove).await;
    wait_until(
        &client,
        "the panel to list the session's container no more",
        &format!(
            "const d = document.querySelector('#containers-dialog');
             return d.dataset.loaded === 'yes' && !d.querySelector('#containers-list button:disabled')
               && d.querySelector(\"{ours}\") === null"
        ),
        Duration::from_secs(30),
    )
    .await;
    assert!(
        containers_of(&profile.state_dir(), &session)
            .await
            .is_empty(),
        "the container is gone from Docker"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Home from a session with a file: the window asks "Keep its environment for
/// next time?"; No removes the session's container, and the session stays.
#[tokio::test(flavor = "multi_thread")]
async fn leaving_a_session_asks_to_keep_its_environment_and_no_removes_it() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    // No question is asked: the server only fills in the Settings.
    let server = ChatServer::scripted(vec![vec![ANSWER.to_owned()]]);
    let profile = AnalysisProfile::new(&server);
    let (driver, port) = start_driver(profile.temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let session = a_session_with_its_environment_ready(&client, &profile).await;

    click(&client, "#home-button").await;
    let asked = wait_until(
        &client,
        "the question about the environment",
        "const d = document.querySelector('#keep-dialog');
         return d.open && d.querySelector('#keep-title').textContent",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(asked, "Keep its environment for next time?");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(&client).await;
    let dialog = Rect::of(&bounding_box(&client, "#keep-dialog").await, size);
    // Compared at the dialog only: under Xvfb, what lies under a modal's
    // blurred backdrop (the histogram, decoded late) is not repainted on the
    // screen while the modal is open.
    screen_shows_the_page(
        &client,
        &shots.join("keep-environment.png"),
        &[("question", dialog)],
    )
    .await;
    click(&client, "#keep-dialog [data-action='remove']").await;
    wait_until(
        &client,
        "Home with the session listed",
        "return !document.querySelector('#empty-state').hidden &&
                document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(10),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !containers_of(&profile.state_dir(), &session)
        .await
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the session's container was not removed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        profile.session_id().to_string(),
        session,
        "the session itself is kept"
    );
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Settings → Appearance → Dark: the window turns dark at once, and after a
/// restart it is still dark (the theme is saved in the settings).
#[tokio::test(flavor = "multi_thread")]
async fn a_dark_theme_chosen_in_settings_is_kept_after_a_restart() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let temp = tempfile::tempdir().unwrap();
    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let background = "return getComputedStyle(document.body).backgroundColor";
    let light = run_script(&client, background).await;
    click(&client, SETTINGS_BUTTON).await;
    wait_until(
        &client,
        "the settings to load",
        SETTINGS_LOADED,
        Duration::from_secs(10),
    )
    .await;
    // The form is drawn once the settings are read: on a loaded machine the
    // choice can still be on its way after the loading line has gone.
    let dark_choice = "#settings-appearance input[value='dark']";
    wait_until(
        &client,
        "the theme choices",
        &format!(
            "const c = document.querySelector(\"{dark_choice}\"); \
             return !!c && !c.disabled && c.getClientRects().length > 0"
        ),
        Duration::from_secs(10),
    )
    .await;
    click(&client, dark_choice).await;
    let dark = run_script(&client, background).await;
    assert_ne!(dark, light, "the theme shows as soon as it is picked");
    click(&client, SAVE_BUTTON).await;
    wait_until(
        &client,
        "the dialog to close",
        SETTINGS_DIALOG_CLOSED,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        run_script(&client, background).await,
        dark,
        "saving keeps it"
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    wait_for_the_settings_toast_to_go(&client).await;
    let size = viewport(&client).await;
    screen_shows_the_page(
        &client,
        &shots.join("home-dark.png"),
        &[("window", Rect::window(size))],
    )
    .await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();

    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let theme = wait_until(
        &client,
        "the saved theme",
        // The system's look is set at once; the saved one once the settings are read.
        "return document.documentElement.dataset.theme === 'dark' ? 'dark' : false",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(theme, "dark");
    assert_eq!(run_script(&client, background).await, dark);
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// A first start: Home shows "Getting started" with Docker ticked once it is
/// ready, the model still to choose (no key for the default provider), and
/// "Choose a model…" opens Settings at the language model.
#[tokio::test(flavor = "multi_thread")]
async fn a_first_start_shows_the_getting_started_guide() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let temp = tempfile::tempdir().unwrap();
    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let steps = wait_until(
        &client,
        "the guide with Docker ticked",
        "const g = document.querySelector('#first-run');
         const s = [...g.querySelectorAll('.first-run-step')];
         return !g.hidden && s.length === 3 && s[0].dataset.done === 'yes' && s[1].querySelector('.first-run-action')
           ? s.map(e => [e.dataset.step, e.dataset.done, e.querySelector('.first-run-label').textContent]) : false",
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        steps,
        json!([
            ["docker", "yes", "Docker is running (done)"],
            ["model", "no", "A language model to ask questions"],
            ["file", "no", "Drop a file with your data on this window"],
        ])
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let size = viewport(&client).await;
    let guide = Rect::of(&bounding_box(&client, "#first-run").await, size);
    screen_shows_the_page(
        &client,
        &shots.join("home-first-run.png"),
        &[("window", Rect::window(size)), ("guide", guide)],
    )
    .await;
    click(&client, "#first-run .first-run-action").await;
    wait_until(
        &client,
        "Settings at the language model",
        "return document.querySelector('#settings-dialog').open
           && document.querySelector('#settings-provider').contains(document.activeElement)",
        Duration::from_secs(10),
    )
    .await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

const EXPLANATION: &str =
    "It added up the sales of each month and picked the month with the largest total: March.";

/// "Explain this step" on a saved answered step: the model in Settings gets
/// the question and the code behind the answer, and its plain-words reply is
/// shown under the answer.
#[tokio::test(flavor = "multi_thread")]
async fn explain_this_step_shows_the_models_plain_words_about_the_code() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let server = ChatServer::scripted(vec![
        EXPLANATION
            .split_inclusive(' ')
            .map(str::to_owned)
            .collect(),
    ]);
    let base_url = server.base_url.clone();
    let saved = AppWithASavedSession::open_with("Monthly sales", |handle| {
        record_an_answered_step(handle);
        // The app's settings (next to its sessions): the scripted server answers.
        let state_dir = handle.dir().parent().unwrap().parent().unwrap();
        std::fs::write(
            state_dir.join("settings.json"),
            json!({ "settings": {
                "llm": { "provider": "openai-compatible", "base_url": base_url, "model": chat_server::MODEL },
                "agent": { "analysis_image": false },
            } })
            .to_string(),
        )
        .unwrap();
    })
    .await;
    let (client, driver, app) = (saved.client, saved.driver, saved.app);
    wait_until(
        &client,
        "Home to list the saved session",
        "return document.querySelector('#recent-sessions .recent-item') !== null",
        Duration::from_secs(20),
    )
    .await;
    click(&client, "#recent-sessions .recent-item").await;
    wait_until(
        &client,
        "the answered step with Explain this step",
        "const s = document.querySelector('.step');
         return s && s.dataset.state === 'done' && !s.querySelector('.step-explain-row').hidden",
        Duration::from_secs(20),
    )
    .await;
    click(&client, ".step-explain").await;
    let shown = wait_until(
        &client,
        "the explanation",
        "const e = document.querySelector('.step-explanation');
         return !e.hidden && e.dataset.state
           ? [e.dataset.state, [...e.children].map(p => p.textContent)] : false",
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        shown,
        json!(["done", ["What this step did", EXPLANATION]]),
        "{shown}"
    );
    let requests = server.chat_requests();
    assert_eq!(requests.len(), 1);
    let sent = requests[0]["messages"].to_string();
    assert!(
        sent.contains(EXPORT_QUESTION) && sent.contains("print('March', 310)"),
        "the model got the question and the code: {sent}"
    );
    let label = run_script(
        &client,
        "return document.querySelector('.step-explain').textContent",
    )
    .await;
    assert_eq!(label, "Explain again");
    screenshot_the_step(&client, "explain-step.png").await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// WebDriver's codes for the keys pressed (the W3C "keys" table).
const TAB: &str = "\u{E004}";
const SHIFT_TAB: &str = "\u{E008}\u{E004}\u{E000}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const ARROW_DOWN: &str = "\u{E015}";

/// Presses `keys` where the keyboard focus is, as the analyst would.
async fn press(client: &Client, keys: &str) {
    let focused = client.active_element().await.expect("something has focus");
    focused.send_keys(keys).await.unwrap();
}

/// Moves the keyboard focus to `css` (as Tab would) and presses `keys` there.
async fn focus_and_press(client: &Client, css: &str, keys: &str) {
    run_script(
        client,
        &format!("document.querySelector(\"{css}\").focus()"),
    )
    .await;
    press(client, keys).await;
}

/// In the open dialog `css`: every control has a name a screen reader says,
/// and Tab, all the way round and back with Shift+Tab, never leaves it.
async fn the_keyboard_stays_in(client: &Client, css: &str) {
    let unnamed = run_script(
        client,
        &format!(
            "const d = document.querySelector(\"{css}\");
             const name = (el) => (el.getAttribute('aria-label') || '').trim()
               || (el.getAttribute('aria-labelledby') ? 'labelled' : '')
               || (el.labels ? [...el.labels].map(l => l.textContent).join('').trim() : '')
               || (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' ? '' : el.textContent.trim());
             return [...d.querySelectorAll('a[href], button, input, select, textarea, summary')]
               .filter(el => el.getClientRects().length > 0 && !name(el)).map(el => el.outerHTML.slice(0, 160))"
        ),
    )
    .await;
    assert_eq!(unnamed, json!([]), "controls without a name in {css}");
    let stops = run_script(
        client,
        &format!(
            "const d = document.querySelector(\"{css}\");
             return [...d.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
               .filter(el => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0
                 && !(el.type === 'radio' && !el.checked)).length"
        ),
    )
    .await
    .as_u64()
    .unwrap();
    assert!(stops >= 2, "{css} has {stops} Tab stops");
    let where_focus_is = format!(
        "const d = document.querySelector(\"{css}\"); const a = document.activeElement;
         return d.open && d.contains(a) ? (a.getAttribute('aria-label') || a.id || a.name || a.textContent.trim()) : null"
    );
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..stops + 2 {
        press(client, TAB).await;
        let at = run_script(client, &where_focus_is).await;
        assert!(at.is_string(), "Tab left {css} after {seen:?}");
        seen.insert(at.as_str().unwrap().to_owned());
    }
    for _ in 0..3 {
        press(client, SHIFT_TAB).await;
        let at = run_script(client, &where_focus_is).await;
        assert!(at.is_string(), "Shift+Tab left {css}");
    }
    assert!(
        seen.len() as u64 >= stops.min(2),
        "Tab went round {css}: {seen:?}"
    );
}

/// The keyboard alone: the guide's "Choose a model…", Settings, the containers
/// panel, the Export menu, the enlarged chart and "Keep its environment for
/// next time?" each take the focus when they open, keep Tab inside while they
/// are open, close on Escape and give the focus back to what opened them;
/// every control in them has a name. (The install question, which opens by
/// itself during a step, is answered by keys in
/// `a_package_off_the_well_known_list_is_asked_about_in_the_step`.)
#[tokio::test(flavor = "multi_thread")]
async fn every_dialog_works_with_the_keyboard_alone() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let temp = tempfile::tempdir().unwrap();
    let state_dir = temp.path().join("data").join("app.sandpiper.desktop");
    // The session below has a file: opening it starts its container.
    let _containers = RemovesSessionContainers(state_dir.clone());
    std::fs::create_dir_all(&state_dir).unwrap();
    let image = std::env::var("SANDPIPER_TEST_IMAGE").unwrap_or_else(|_| "python:3.11-slim".into());
    std::fs::write(
        state_dir.join("settings.json"),
        json!({ "settings": {
            "sandbox": { "image": image },
            // No question is asked: the app need not build the analysis image.
            "agent": { "analysis_image": false },
        } })
        .to_string(),
    )
    .unwrap();
    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let guide_button = "#first-run .first-run-action";
    wait_until(
        &client,
        "the guide's Choose a model",
        &format!("return Boolean(document.querySelector(\"{guide_button}\"))"),
        Duration::from_secs(30),
    )
    .await;

    focus_and_press(&client, guide_button, ENTER).await;
    wait_until(
        &client,
        "Settings with the focus at the language model",
        "return document.querySelector('#settings-dialog').open
           && document.querySelector('#settings-loading').hidden
           && document.querySelector('#settings-provider').contains(document.activeElement)",
        Duration::from_secs(10),
    )
    .await;
    the_keyboard_stays_in(&client, SETTINGS_DIALOG).await;
    press(&client, ESCAPE).await;
    wait_until(
        &client,
        "Escape to close Settings and give the focus back to the guide",
        &format!(
            "return !document.querySelector('#settings-dialog').open
               && document.activeElement.matches(\"{guide_button}\")"
        ),
        Duration::from_secs(10),
    )
    .await;

    focus_and_press(&client, SETTINGS_BUTTON, ENTER).await;
    wait_until(
        &client,
        "Settings open with the focus in it",
        "const d = document.querySelector('#settings-dialog');
         return d.open && d.getAttribute('aria-busy') === 'false' && d.contains(document.activeElement)",
        Duration::from_secs(10),
    )
    .await;
    focus_and_press(
        &client,
        "#settings-dialog [data-action='containers']",
        ENTER,
    )
    .await;
    wait_until(
        &client,
        "the containers panel, listed, with the focus in it",
        "const d = document.querySelector('#containers-dialog');
         return d.open && d.dataset.loaded === 'yes' && d.contains(document.activeElement)
           && !document.querySelector('#settings-dialog').open",
        Duration::from_secs(20),
    )
    .await;
    the_keyboard_stays_in(&client, "#containers-dialog").await;
    press(&client, ESCAPE).await;
    wait_until(
        &client,
        "Escape to close the panel and give the focus back to Settings' button",
        &format!(
            "return !document.querySelector('#containers-dialog').open
               && document.activeElement.matches(\"{SETTINGS_BUTTON}\")"
        ),
        Duration::from_secs(10),
    )
    .await;

    // The Export menu of an open session.
    let store = sandpiper::store::SessionStore::in_state_dir(&state_dir);
    let handle = store
        .create(sandpiper::SessionId::new(), Some("Keyboard"), None)
        .unwrap();
    // Something to export, a chart to enlarge, and a file, so that leaving asks
    // about the session's environment.
    let csv = temp.path().join("sales.csv");
    std::fs::write(&csv, "month,sales\nJanuary,250\nFebruary,280\nMarch,310\n").unwrap();
    handle.add_dataset(&csv, 1 << 20).unwrap();
    let chart = temp.path().join("chart.png");
    let drawn = Command::new("convert")
        .args(["-size", "90x60", "xc:white", "-fill", BAR_BLUE])
        .args([
            "-draw",
            "rectangle 4,18 25,59",
            "-draw",
            "rectangle 34,8 55,59",
        ])
        .arg(&chart)
        .status()
        .expect("ImageMagick convert runs");
    assert!(drawn.success());
    record_an_answered_step_that_printed(&handle, "March 310\n", Some(&chart));
    let id = handle.id().clone();
    drop(handle);
    run_script(
        &client,
        &format!("window.sandpiper.openSession('{}')", id.as_str()),
    )
    .await;
    wait_until(
        &client,
        "the session with its Export button",
        "const b = document.querySelector('#export-button'); return b.getClientRects().length > 0 && !b.disabled",
        Duration::from_secs(20),
    )
    .await;
    focus_and_press(&client, "#export-button", ARROW_DOWN).await;
    wait_until(
        &client,
        "the menu open at its first format",
        "return document.activeElement.matches('#export-menu [role=menuitem]:first-child')",
        Duration::from_secs(10),
    )
    .await;
    press(&client, ESCAPE).await;
    wait_until(
        &client,
        "Escape to close the menu and give the focus back to Export",
        "return document.querySelector('#export-menu').hidden && document.activeElement.id === 'export-button'",
        Duration::from_secs(10),
    )
    .await;

    // The answer's chart, enlarged with Enter; Tab stays in the viewer (its
    // one control, Close); Escape closes it, back on the chart.
    let figure = ".step-card > .artifacts .figure-open";
    wait_until(
        &client,
        "the answer's chart",
        "const img = document.querySelector('.step-card > .artifacts img');
         return Boolean(img && img.complete && img.naturalWidth > 0)",
        Duration::from_secs(20),
    )
    .await;
    focus_and_press(&client, figure, ENTER).await;
    wait_until(
        &client,
        "the enlarged chart with the focus in it",
        "const d = document.querySelector('#lightbox');
         return d.open && d.contains(document.activeElement)
           && document.querySelector('#lightbox-img').complete",
        Duration::from_secs(10),
    )
    .await;
    for _ in 0..3 {
        press(&client, TAB).await;
        let inside = run_script(
            &client,
            "return document.querySelector('#lightbox').contains(document.activeElement)",
        )
        .await;
        assert_eq!(inside, true, "Tab left the enlarged chart");
    }
    press(&client, ESCAPE).await;
    wait_until(
        &client,
        "Escape to close the enlarged chart and give the focus back to the chart",
        &format!(
            "return !document.querySelector('#lightbox').open && document.activeElement.matches(\"{figure}\")"
        ),
        Duration::from_secs(10),
    )
    .await;

    // Home with Enter asks whether to keep the session's environment, the
    // focus on "Keep it"; Escape stays in the session, back on Home.
    focus_and_press(&client, "#home-button", ENTER).await;
    let keep_open = "const d = document.querySelector('#keep-dialog');
         return d.open && document.activeElement.matches('#keep-dialog [data-action=keep]')";
    wait_until(
        &client,
        "the question about the environment, the focus on Keep it",
        keep_open,
        Duration::from_secs(10),
    )
    .await;
    the_keyboard_stays_in(&client, "#keep-dialog").await;
    press(&client, ESCAPE).await;
    wait_until(
        &client,
        "Escape to stay in the session, the focus back on Home",
        "return !document.querySelector('#keep-dialog').open
           && document.activeElement.id === 'home-button'
           && window.sandpiper.getState().session !== null",
        Duration::from_secs(10),
    )
    .await;
    // Asked again and answered with Enter: kept, and Home shows the session
    // left, with the focus on it (the Home button is gone with the session).
    press(&client, ENTER).await;
    wait_until(
        &client,
        "the question again, the focus on Keep it",
        keep_open,
        Duration::from_secs(10),
    )
    .await;
    press(&client, ENTER).await;
    wait_until(
        &client,
        "Home, the focus on the session just left",
        "return !document.querySelector('#keep-dialog').open
           && window.sandpiper.getState().session === null
           && document.activeElement.matches('#recent-sessions .recent-item')
           && document.activeElement.textContent.includes('Keyboard')",
        Duration::from_secs(20),
    )
    .await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}

/// Docker quitting while the window is open, then coming back (Docker Desktop
/// closed and opened again): the window says in plain words that Docker is not
/// running, with "Check again", and clears by itself once Docker answers again.
/// The app talks to Docker through a socket this test can cut (the Docker
/// address in its settings); the real daemon, which other tests share, is never
/// stopped. (`DOCKER_HOST` would not do: when it does not answer, the app goes
/// on to look in the usual places, and finds the real daemon there.)
#[tokio::test(flavor = "multi_thread")]
async fn the_window_says_when_docker_stops_and_clears_when_it_is_back() {
    let _window = ONE_WINDOW_AT_A_TIME.lock().await;
    let temp = tempfile::tempdir().unwrap();
    let socket = cuttable_socket::CuttableSocket::start(temp.path());
    let state_dir = temp.path().join("data").join("app.sandpiper.desktop");
    std::fs::create_dir_all(&state_dir).unwrap();
    std::fs::write(
        state_dir.join("settings.json"),
        json!({ "settings": {
            "docker": { "endpoint": socket.docker_host() },
            "agent": { "analysis_image": false },
        } })
        .to_string(),
    )
    .unwrap();
    let (driver, port) = start_driver(temp.path());
    let client = open_app(port).await;
    let app = app_process(&driver);
    let docker_said = "const pill = document.querySelector('#docker-pill .pill-label').textContent;
         const p = document.querySelector('.docker-panel');
         return { pill, panel: p.hidden ? null : [p.querySelector('.panel-title').textContent,
                  p.querySelector('.panel-advice').textContent, p.querySelector('.panel-actions .btn').textContent] };";
    wait_until(
        &client,
        "Docker to be reported ready",
        "return document.querySelector('#docker-pill .pill-label').textContent === 'Docker is ready'
           && document.querySelector('.docker-panel').hidden",
        Duration::from_secs(30),
    )
    .await;

    socket.cut();
    wait_until(
        &client,
        "the window to notice by itself that Docker stopped",
        "return !document.querySelector('.docker-panel').hidden",
        Duration::from_secs(60),
    )
    .await;
    let said = run_script(&client, docker_said).await;
    assert_eq!(said["pill"], "Docker is not running", "{said}");
    assert_eq!(
        said["panel"][0], "Docker is installed but not running.",
        "{said}"
    );
    assert!(
        said["panel"][1]
            .as_str()
            .unwrap_or_default()
            .contains("Sandpiper notices by itself when it is running"),
        "{said}"
    );
    assert_eq!(said["panel"][2], "Check again", "{said}");
    let panel = Rect::of(
        &bounding_box(&client, ".docker-panel").await,
        viewport(&client).await,
    );
    let shot = what_webkit_drew(&client, "docker-stopped.png").await;
    assert!(region_deviation(&shot, panel) > 0.02, "the banner is blank");
    // "Check again" while Docker is still away: it checks, and says so again.
    click(&client, ".docker-panel .panel-actions .btn").await;
    wait_until(
        &client,
        "the check to end with Docker still not running",
        "const b = document.querySelector('.docker-panel .panel-actions .btn');
         return !document.querySelector('.docker-panel').hidden && !b.disabled && b.textContent === 'Check again'",
        Duration::from_secs(30),
    )
    .await;

    let _back = socket.restart();
    wait_until(
        &client,
        "the banner to clear by itself once Docker answers again",
        "return document.querySelector('.docker-panel').hidden
           && document.querySelector('#docker-pill .pill-label').textContent === 'Docker is ready'",
        Duration::from_secs(30),
    )
    .await;
    what_webkit_drew(&client, "docker-back.png").await;
    client.close().await.unwrap();
    drop(driver);
    app.wait_for_the_end();
}
