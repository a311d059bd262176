namespace RobustnessLab.Data.Gym;

/// <summary>
/// Biased: dumbbells are held with probability p_dumbbell_arm, other objects with p_other_arm (the Inceptionism
/// situation). Debiased: every class is held at the same rate p_arm, so an arm says nothing about the class.
/// </summary>
public enum GymVariant
{
    Biased,
    Debiased,
}
