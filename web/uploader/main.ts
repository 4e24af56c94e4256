// The uploader page's script (placeholder until the uploader is built).
const root = document.getElementById("uploader");
if (root) root.dataset.ready = "1";
