// Live command status (contract for every page that shows a command):
//   <span data-live-command="<same-origin URL answering JSON>">…</span>
// The URL answers { status, label, final, reason? }; this module polls it
// about once a second until `final`, and updates the element (owned by the
// dashboard; see src/pages/app).
export {};
