"""Loads a page in headless Chromium and prints the text it renders, shadow roots included
(TensorBoard's HParams dashboard draws inside web components, which `--dump-dom` leaves out),
and the number of <canvas> and <svg> charts; saves a screenshot.

Drives Chromium through the DevTools protocol over `--remote-debugging-pipe` (JSON messages
ended by NUL on file descriptors 3 and 4), so nothing beyond the standard library is needed.

usage: page_text.py CHROMIUM URL SCREENSHOT.png WAIT_FOR_TEXT [SECONDS]
Exits 0 once WAIT_FOR_TEXT is in the page's text (printing it), 1 when it never appears.
"""
import base64
import json
import os
import subprocess
import sys
import time

browser, url, screenshot, wanted = sys.argv[1:5]
seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 60

to_browser_read, to_browser_write = os.pipe()
from_browser_read, from_browser_write = os.pipe()


def child_fds():
    # through fresh numbers, so that neither dup2 overwrites the other's source
    commands, replies = os.dup(to_browser_read), os.dup(from_browser_write)
    os.dup2(commands, 3)
    os.dup2(replies, 4)


process = subprocess.Popen(
    [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1000",
     "--remote-debugging-pipe", "about:blank"],
    # 3 and 4 kept open in the child (the pipes' own numbers are 3 and up, so they exist here)
    pass_fds=(3, 4, to_browser_read, from_browser_write), preexec_fn=child_fds,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_browser_read)
os.close(from_browser_write)
incoming = b""
next_id = 0


def call(method, params=None, session=None):
    """Sends one command and returns its result (events in between are skipped)."""
    global incoming, next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_browser_write, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in incoming:
            chunk = os.read(from_browser_read, 1 << 20)
            if not chunk:
                raise SystemExit("chromium closed the pipe")
            incoming += chunk
        raw, incoming = incoming.split(b"\0", 1)
        reply = json.loads(raw)
        if reply.get("id") == next_id:
            if "error" in reply:
                raise SystemExit(f"{method}: {reply['error']}")
            return reply["result"]


WALK = """(() => {
  let text = [], charts = 0;
  const walk = (node) => {
    if (node.tagName === 'STYLE' || node.tagName === 'SCRIPT') return;
    if (node.shadowRoot) walk(node.shadowRoot);
    if (node.nodeType === 3) text.push(node.textContent);
    if (node.tagName === 'CANVAS' || node.tagName === 'svg') charts++;
    if (node.tagName === 'IFRAME' && node.contentDocument) walk(node.contentDocument);
    for (const child of node.childNodes) walk(child);
  };
  walk(document);
  return JSON.stringify({text: text.join(' ').replace(/\\s+/g, ' '), charts});
})()"""

try:
    target = call("Target.createTarget", {"url": url})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    deadline = time.time() + seconds
    page = {"text": "", "charts": 0}
    while time.time() < deadline:
        time.sleep(1)
        page = json.loads(call("Runtime.evaluate", {"expression": WALK, "returnByValue": True}, session)["result"]["value"])
        if wanted in page["text"] and page["charts"] > 0:
            break
    time.sleep(2)  # let the charts draw
    page = json.loads(call("Runtime.evaluate", {"expression": WALK, "returnByValue": True}, session)["result"]["value"])
    shot = call("Page.captureScreenshot", {"format": "png"}, session)["data"]
    with open(screenshot, "wb") as f:
        f.write(base64.b64decode(shot))
    print(f"charts={page['charts']}")
    print(page["text"])
    sys.exit(0 if wanted in page["text"] else 1)
finally:
    process.kill()
    process.wait()
