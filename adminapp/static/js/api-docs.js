// Starts the vendored Swagger UI on /api/v1/docs (an inline script would be refused by the
// site's Content-Security-Policy). No validator badge: it would ask a third party.
(function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
