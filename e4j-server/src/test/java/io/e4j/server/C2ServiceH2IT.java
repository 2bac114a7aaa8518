package io.e4j.server;

/** {@link C2ServiceContract} on the default store: an H2 file in the data directory. */
class C2ServiceH2IT extends C2ServiceContract {

  @Override
  C2Config.Database freshDatabase() {
    return C2Config.Database.embedded();
  }

  @Override
  C2Config.Database currentDatabase() {
    return C2Config.Database.embedded();
  }
}
