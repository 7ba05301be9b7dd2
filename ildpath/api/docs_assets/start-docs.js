// Starts Swagger UI on /docs (ildpath/api/docs_page.py): a file, not an inline script, so the
// Content-Security-Policy can forbid inline scripts everywhere.
"use strict";
(function () {
  var target = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: target.getAttribute("data-openapi"),
    domNode: target,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
