/** A JSON element, shaped like gson's JsonArray. */
public class Element {
  /**
   * This element as an int.
   *
   * @return the int.
   * @throws IllegalStateException if the array is empty or has more than one element.
   */
  public int getAsInt() {
    return getAsSingleElement().getAsInt();
  }

  /**
   * This element as an array.
   *
   * @return the array.
   * @throws ClassCastException if the element is of another type.
   */
  public Element getAsArray() {
    return (Element) this;
  }

  /**
   * The size.
   *
   * @return the size.
   * @throws IllegalStateException never, in fact: the body calls nothing.
   */
  public int size() {
    return 0;
  }
}
