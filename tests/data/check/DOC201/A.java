class A {
  /**
   * Log.
   * @param m the message
   * @return nothing
   */
  public void log(String m) {}
}
