// Starts Swagger UI on the host's API description; no validator (it would call out to the
// network). "Try it out" sends requests to this origin with the token given under "Authorize".
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
