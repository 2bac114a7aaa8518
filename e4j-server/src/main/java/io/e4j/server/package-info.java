/** C2, the E4 key server: key store, operations and reliable command delivery. */
package io.e4j.server;
