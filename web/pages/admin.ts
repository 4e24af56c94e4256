// Admin-console-only enhancements (owned by src/pages/admin).
export {};
