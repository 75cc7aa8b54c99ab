'use strict';

var res = module.exports = {};

/**
 * Check if the given `type`s are accepted (express reads `arguments`).
 *
 * @param {String|Array} type(s)
 * @return {String|Array|Boolean}
 * @public
 */

req.accepts = function(){
  return accepts(this).types.apply(null, arguments);
};

/**
 * Check the request's types (a rest parameter under the doc's name).
 *
 * @param {String|Array} types...
 * @return {String|false|null}
 */

res.is = function is(...kinds) {
  return kinds;
};

/**
 * Iterate, with options destructured (axios's `forEach`).
 *
 * @param {Object} obj The object to iterate
 * @param {Boolean} [allOwnKeys = false]
 * @returns {Object} the object
 */
function forEach(obj, {allOwnKeys = false} = {}) {
  return allOwnKeys ? obj : null;
}

/**
 * Set a header (koa's nested-brace type).
 *
 * @param {String|{ [k: string]: any }} field
 * @param {any} [val]
 * @returns {Boolean} whether it was set
 */
function set(field, val) {
  return Boolean(field && val);
}

/**
 * Create an error (a constructor, called with `new`).
 *
 * @param {string} message The message.
 * @returns {Error} The created error.
 */
function AxiosError(message) {
  this.message = message;
}

/**
 * Send a body: the doc still names `body`, the code took `chunk`.
 *
 * @param {string} body
 * @return {ServerResponse}
 * @public
 */

res.send = function send(chunk) {
  return this.end(chunk);
};

/**
 * Create a Negotiator instance from a request (negotiator's guard for a call without `new`).
 *
 * @param {object} request
 * @public
 */

function Negotiator(request) {
  if (!(this instanceof Negotiator)) {
    return new Negotiator(request);
  }
  this.request = request;
}
