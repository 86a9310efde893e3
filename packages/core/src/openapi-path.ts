// Matching request paths against OpenAPI path templates (`/order/{id}`), for the API's metric
// labels and the tests' contract checks alike.

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern matching the paths `template` stands for: each `{param}` is one non-empty path
 * segment, and a trailing slash is allowed (Express routes the path either way).
 */
export function openApiPathPattern(template: string): RegExp {
  return new RegExp(
    `^${template
      .split(/\{[^}/]+\}/)
      .map(escapeRegExp)
      .join('[^/]+')}/?$`,
  );
}
