class A {
  /**
   * Sum.
   * @param a first
   * @param b second
   * @return the sum
   */
  public int sum(int a, int c) { return a + c; }
}
