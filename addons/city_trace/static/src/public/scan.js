/** @odoo-module ignore **/
// Public scan page and report form: a plain script without dependencies, served as a static
// file by the light page layout (and, unused elsewhere, also part of web.assets_frontend through
// the manifest glob, hence the guards on the page's own elements).
//
// After the page has loaded it tells the server, for this scan only (signed token): whether this
// browser had opened the same code before (kept in the browser's own storage, no identifier is
// sent), then, if the visitor allows the browser's geolocation, the position rounded to 0.1
// degree. Nothing is sent on the first request and nothing fails loudly.
(function () {
    "use strict";

    function post(payload) {
        return fetch("/trace/scan/beacon", {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({jsonrpc: "2.0", method: "call", params: payload}),
            credentials: "omit",
        }).catch(() => null);
    }

    function seenBefore(code) {
        try {
            const key = "o_trace_seen";
            const seen = JSON.parse(window.localStorage.getItem(key) || "[]");
            const repeat = seen.includes(code);
            if (!repeat) {
                seen.push(code);
                window.localStorage.setItem(key, JSON.stringify(seen.slice(-200)));
            }
            return repeat;
        } catch {
            return false;
        }
    }

    function beacon(page) {
        const scanId = parseInt(page.dataset.scanId, 10);
        const token = page.dataset.token;
        if (!scanId || !token) {
            return;
        }
        const base = {scan_id: scanId, token: token};
        if (seenBefore(page.dataset.code || "")) {
            post(Object.assign({repeat: true}, base));
        }
        if (!navigator.geolocation) {
            return;
        }
        navigator.geolocation.getCurrentPosition(
            (position) => {
                const round = (value) => Math.round(value * 10) / 10;
                post(
                    Object.assign(
                        {latitude: round(position.coords.latitude), longitude: round(position.coords.longitude)},
                        base
                    )
                );
            },
            () => null,
            {enableHighAccuracy: false, maximumAge: 600000, timeout: 20000}
        );
    }

    function photoCheck(form) {
        const input = form.querySelector("input[name=photo]");
        const warning = form.querySelector(".o_trace_photo_too_large");
        const max = parseInt(form.dataset.photoMax, 10);
        if (!input || !warning || !max) {
            return;
        }
        const tooLarge = () => input.files.length > 0 && input.files[0].size > max;
        input.addEventListener("change", () => warning.classList.toggle("o_trace_hidden", !tooLarge()));
        form.addEventListener("submit", (event) => {
            if (tooLarge()) {
                event.preventDefault();
                warning.classList.remove("o_trace_hidden");
            }
        });
    }

    function start() {
        const page = document.querySelector(".o_trace_scan[data-scan-id]");
        if (page) {
            beacon(page);
        }
        const form = document.querySelector("form.o_trace_report_form");
        if (form) {
            photoCheck(form);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
